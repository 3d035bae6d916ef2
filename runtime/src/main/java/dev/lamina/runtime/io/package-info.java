/**
 * Checkpoints: {@link dev.lamina.runtime.io.Checkpoints} saves a network's parameters atomically in
 * a versioned, checksummed format and loads them only into the same network, reporting problems
 * as a {@link dev.lamina.runtime.io.CheckpointException} of a precise kind.
 */
package dev.lamina.runtime.io;
