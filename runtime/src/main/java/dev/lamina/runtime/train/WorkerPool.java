package dev.lamina.runtime.train;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * The trainer's threads: T - 1 worker threads started once, the calling thread working as thread
 * 0. {@link #run} hands one job to all of them and returns when every share is done.
 *
 * <p>Threads are coordinated with a generation counter, an atomic countdown and {@link
 * LockSupport} (brief spinning, then parking), so a job allocates nothing. Whatever describes a
 * job is written by the calling thread before {@link #run} bumps the generation (a volatile
 * write) and read by the workers after they see the new generation (a volatile read).
 *
 * <p>The {@link Trainer} and the GAN trainer ({@code dev.lamina.runtime.gan}) run their steps on
 * it. Not thread-safe: one thread calls {@link #run} and {@link #close}.
 */
public final class WorkerPool {
  private static final int SPINS = 20_000;

  /** One thread's share of a job. */
  public interface Share {
    /** Runs share {@code t} (0 on the calling thread, 1..T-1 on the workers). */
    void run(int t);
  }

  private final int threads;
  private final Worker[] workers;
  /** Parked on, so that a thread dump names what the threads wait for. */
  private final Object blocker;
  private Share share;

  private volatile int generation;
  private volatile boolean shutdown;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Thread waiter;
  private volatile Throwable workerFailure;

  /** Starts {@code threads - 1} worker threads, parking on {@code blocker} when idle. */
  public WorkerPool(int threads, Object blocker) {
    this.threads = threads;
    this.blocker = blocker;
    workers = new Worker[threads - 1];
    for (int t = 1; t < threads; t++) {
      workers[t - 1] = new Worker(t);
      workers[t - 1].thread.start();
    }
  }

  /**
   * Runs {@code job} on every thread and waits for all of them. The first failure is rethrown:
   * the calling thread's own, else one of the workers'.
   */
  public void run(Share job) {
    Throwable own = null;
    share = job;
    if (threads > 1) {
      workerFailure = null;
      waiter = Thread.currentThread();
      pending.set(threads - 1);
      generation = generation + 1;
      for (Worker w : workers) {
        LockSupport.unpark(w.thread);
      }
    }
    try {
      job.run(0);
    } catch (RuntimeException | Error e) {
      own = e;
    }
    if (threads > 1) {
      int spins = 0;
      while (pending.get() != 0) {
        if (spins < SPINS) {
          spins++;
          Thread.onSpinWait();
        } else {
          LockSupport.park(blocker);
        }
      }
    }
    Throwable failure = own != null ? own : workerFailure;
    if (failure instanceof RuntimeException) {
      throw (RuntimeException) failure;
    } else if (failure instanceof Error) {
      throw (Error) failure;
    }
  }

  /** Ids of the worker threads (for allocation measurements in tests). */
  public long[] workerThreadIds() {
    long[] ids = new long[workers.length];
    for (int i = 0; i < workers.length; i++) {
      ids[i] = workers[i].thread.getId();
    }
    return ids;
  }

  /** Stops and joins the worker threads. Call once. */
  public void close() {
    shutdown = true;
    for (Worker w : workers) {
      LockSupport.unpark(w.thread);
    }
    boolean interrupted = false;
    for (Worker w : workers) {
      while (w.thread.isAlive()) {
        try {
          w.thread.join();
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
  }

  /** A worker thread running share {@code index} of each job. */
  private final class Worker implements Runnable {
    private final int index;
    private final Thread thread;
    /** The generation when the worker was created: jobs are the generations after it. */
    private final int startGeneration;

    Worker(int index) {
      this.index = index;
      this.startGeneration = generation;
      this.thread = new Thread(this, "lamina-trainer-" + index);
      this.thread.setDaemon(true);
    }

    @Override
    public void run() {
      int seen = startGeneration;
      while (true) {
        int spins = 0;
        int g;
        while ((g = generation) == seen) {
          if (shutdown) {
            return;
          }
          if (spins < SPINS) {
            spins++;
            Thread.onSpinWait();
          } else {
            LockSupport.park(blocker);
          }
        }
        seen = g;
        if (shutdown) {
          return;
        }
        try {
          share.run(index);
        } catch (Throwable e) {
          workerFailure = e;
        }
        if (pending.decrementAndGet() == 0) {
          LockSupport.unpark(waiter);
        }
      }
    }
  }
}
