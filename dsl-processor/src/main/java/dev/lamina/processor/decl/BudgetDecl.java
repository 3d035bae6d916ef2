package dev.lamina.processor.decl;

/**
 * A {@code @Budget} as declared. A bound whose value is negative is unset when it is
 * {@code Budget.UNSET} (-1), else an error the checker reports.
 *
 * @param parameters most trainable parameters
 * @param multiplyAdds most multiply-adds of one sample's forward pass
 * @param inferenceBytes most bytes of a forward pass's workspace buffers for {@code batch}
 * @param trainingBytes most bytes of the whole workspace for {@code batch}
 * @param batch the batch the memory bounds apply to
 */
public record BudgetDecl(
    Value<Long> parameters,
    Value<Long> multiplyAdds,
    Value<Long> inferenceBytes,
    Value<Long> trainingBytes,
    Value<Integer> batch) {

  /** {@code Budget.UNSET}. */
  public static final long UNSET = -1;
}
