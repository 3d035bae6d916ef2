/**
 * What the test suites of several modules share: the conformance vectors ({@link
 * dev.lamina.testsupport.VectorSet}), a strict JSON reader ({@link dev.lamina.testsupport.Json})
 * and the tensors of the vector files ({@link dev.lamina.testsupport.Tensor}). Test scope only:
 * no product module depends on it.
 */
package dev.lamina.testsupport;
