/**
 * Export of a generated Lamina network with its parameters to an ONNX model ({@link
 * dev.lamina.onnx.export.OnnxExporter}), built from the structure every generated class carries
 * ({@link dev.lamina.runtime.NetworkStructure}).
 */
package dev.lamina.onnx.export;
