/**
 * Import of ONNX models: {@link dev.lamina.onnx.imports.OnnxImporter} reads a file and gives an
 * {@link dev.lamina.onnx.imports.ImportedNetwork}, the annotated source of the equivalent Lamina
 * network and its weights.
 */
package dev.lamina.onnx.imports;
