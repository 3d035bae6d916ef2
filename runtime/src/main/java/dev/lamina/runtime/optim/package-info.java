/**
 * Optimizers and learning-rate schedules. {@link dev.lamina.runtime.optim.Optimizers} builds
 * {@link dev.lamina.runtime.optim.Sgd} (plain, momentum, Nesterov) and {@link
 * dev.lamina.runtime.optim.Adam} (Adam with L2 or AdamW with decoupled decay); weight decay applies
 * to WEIGHT tensors only, so the optimizer must be attached to the network's parameter layout.
 * {@link dev.lamina.runtime.optim.LearningRateSchedule} gives constant, step-decay and cosine
 * (optionally warmed-up) rates.
 */
package dev.lamina.runtime.optim;
