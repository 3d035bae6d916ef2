/**
 * Training: the data-parallel, allocation-free {@link dev.lamina.runtime.train.Trainer}, its
 * per-epoch {@link dev.lamina.runtime.train.EpochResult}s, {@link
 * dev.lamina.runtime.train.Evaluation}s with a {@link dev.lamina.runtime.train.ConfusionMatrix},
 * progress reports through a {@link dev.lamina.runtime.train.TrainingListener}, and {@link
 * dev.lamina.runtime.train.TrainingDivergedException} when the loss stops being finite.
 *
 * <h2>How the trainer runs a batch</h2>
 *
 * With T threads a {@link Trainer} cuts each batch in one of two ways.
 *
 * <p><b>Fixed chunks</b> (one thread; a batch size of at most T × {@link
 * Trainer.Builder#passSamples passSamples} samples; networks that couple the samples of a batch;
 * networks too large for a gradient buffer per pass, below). The mode is chosen once, from the
 * builder's batch size. The batch is cut into T contiguous chunks {@code [B·t/T, B·(t+1)/T)}; each
 * thread zeroes its gradients and runs forward, loss and backward over its chunk in passes of at
 * most passSamples samples (default {@value Trainer#DEFAULT_PASS_SAMPLES}), the gradients of the
 * passes adding up in its buffer. The buffers are then added in the fixed order 0 + 1 + ... + (T-1)
 * into buffer 0. A network that {@linkplain dev.lamina.runtime.NetworkSummary#couplesBatchSamples
 * couples the samples of a batch} (batch normalization) runs each chunk in one pass, so that it
 * normalizes over the whole chunk.
 *
 * <p><b>Passes handed out</b> (every batch, short ones included, of a trainer for larger batches,
 * when the network does not couple the samples and the gradient buffers of all passes together fit
 * in 16 Mi ({@value Trainer#PASS_BUFFER_LIMIT_FLOATS}) floats). The batch is cut into the fewest
 * passes of at most passSamples samples whose number is a multiple of T, but no more passes than
 * samples (a batch of 256 on 2 threads: 8 passes of 32; a batch of 63: 2 passes), and each thread
 * takes the next pass not yet taken, so a thread the machine slows down (another tenant of a shared
 * host, a core running slower) takes fewer passes, and the others wait for it at the end of the
 * batch for at most the pass it is running. Each pass's gradients are computed from zero and added,
 * in pass order, to one sum, by the thread that finishes the pass, straight from its workspace,
 * when every earlier pass is already in the sum and no other thread is adding; else the pass's
 * gradients wait in a buffer of the pass's own, and the thread that next adds to the sum adds them
 * in their turn. Every gradient is thus the same sum in the same order whichever thread ran which
 * pass. Each pass draws its dropout masks from a stream of its own, derived from the seed, the step
 * and the pass. (On LeNet-5 at batch 256 on 2 threads of a busy shared host, passes handed out ran
 * 8-10% faster than fixed chunks; see the project's benchmarks.)
 *
 * <p><b>Memory.</b> Generated networks hold the activations and gradients of every sample of a
 * pass, so the pass, not the batch, sizes a thread's workspace: a large batch of a large network
 * costs the memory of one pass per thread, plus, when passes are handed out, one gradient buffer
 * per pass of the batch (at most 16 Mi floats in all) and one for their sum.
 *
 * <p><b>Running statistics</b> (batch normalization). Each thread normalizes its chunk with the
 * chunk's own mean and variance, as PyTorch's {@code DataParallel} without synchronized batch norm:
 * the outputs and gradients depend on how the batch is cut, hence on T. The running mean and
 * variance, however, are updated once per batch with the statistics of the whole batch: the
 * workspaces keep their chunk's statistics pending ({@link
 * dev.lamina.runtime.FloatWorkspace#setDeferredStatistics}), and after all threads have finished
 * the calling thread merges them in the fixed order 0, 1, ..., T-1 (count-weighted means, squared
 * deviations plus the spread between the chunk means: exact up to rounding) and applies one
 * momentum update with the batch mean and unbiased variance. With no other batch-norm effect the
 * running statistics after a step are those of one thread on the whole batch, up to float rounding.
 * Workspaces on other machines send their pending statistics as plain numbers ({@link
 * dev.lamina.runtime.FloatWorkspace#exportStatistics}), which merge with the same arithmetic
 * ({@link dev.lamina.runtime.FloatWorkspace#mergeStatistics(double[], int)}): merged in the
 * threads' order they give this trainer's bits.
 */
package dev.lamina.runtime.train;
