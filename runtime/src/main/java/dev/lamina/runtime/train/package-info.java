/**
 * Training: the data-parallel, allocation-free {@link dev.lamina.runtime.train.Trainer}, its
 * per-epoch {@link dev.lamina.runtime.train.EpochResult}s, {@link
 * dev.lamina.runtime.train.Evaluation}s with a {@link dev.lamina.runtime.train.ConfusionMatrix},
 * progress reports through a {@link dev.lamina.runtime.train.TrainingListener}, and {@link
 * dev.lamina.runtime.train.TrainingDivergedException} when the loss stops being finite.
 */
package dev.lamina.runtime.train;
