package dev.lamina.processor.decl;

/**
 * How the reader decodes one annotation attribute into the declaration model.
 *
 * @param form the decoded value's form
 * @param enumType the enum of an {@link Form#ENUM} attribute, else null
 */
public record AttrType(Form form, Class<? extends Enum<?>> enumType) {
  /** The forms of values the reader knows. */
  public enum Form {
    /** {@code int} as an {@code Integer}. */
    INT,
    /** {@code int} or {@code int[]} as a {@code List<Integer>}. */
    INTS,
    /** {@code boolean}. */
    BOOL,
    /** {@code double} or {@code float} as a {@code Double}. */
    NUMBER,
    /** {@code long} (or any integral value) as a {@code Long}. */
    LONG,
    /** {@code String} or {@code String[]} as a {@code List<String>}. */
    STRINGS,
    /** An enum constant of {@link #enumType}. */
    ENUM,
    /** {@code @Apply}'s block class, read with its layers as a {@link BlockDecl}. */
    BLOCK,
    /** The nested {@code @ReceptiveField}, read as the layer's {@link ReceptiveFieldDecl}. */
    RECEPTIVE_FIELD
  }

  public static final AttrType INT = new AttrType(Form.INT, null);
  public static final AttrType INTS = new AttrType(Form.INTS, null);
  public static final AttrType BOOL = new AttrType(Form.BOOL, null);
  public static final AttrType NUMBER = new AttrType(Form.NUMBER, null);
  public static final AttrType LONG = new AttrType(Form.LONG, null);
  public static final AttrType STRINGS = new AttrType(Form.STRINGS, null);
  public static final AttrType BLOCK = new AttrType(Form.BLOCK, null);
  public static final AttrType RECEPTIVE_FIELD = new AttrType(Form.RECEPTIVE_FIELD, null);

  /** An attribute holding a constant of {@code type}. */
  public static AttrType of(Class<? extends Enum<?>> type) {
    return new AttrType(Form.ENUM, type);
  }
}
