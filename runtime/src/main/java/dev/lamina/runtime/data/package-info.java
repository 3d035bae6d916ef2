/**
 * Data: {@link dev.lamina.runtime.data.IdxReader} for IDX files (plain or gzip) with precise
 * format errors ({@link dev.lamina.runtime.data.DatasetFormatException}), the in-memory {@link
 * dev.lamina.runtime.data.Dataset}, the {@link dev.lamina.runtime.data.FashionMnist} loader and
 * allocation-free seeded {@link dev.lamina.runtime.data.MiniBatches}.
 */
package dev.lamina.runtime.data;
