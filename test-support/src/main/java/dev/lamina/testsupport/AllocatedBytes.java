package dev.lamina.testsupport;

import java.lang.reflect.Array;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * What a live object really holds in arrays, read by reflection from its fields: the bytes of the
 * elements of every primitive array it references directly, or through an array of arrays (each
 * array counted once, JVM headers not counted). Tests hold the memory figures of a network's
 * summary to it: a generated workspace's arrays against what the summary says it allocates.
 */
public final class AllocatedBytes {
  private AllocatedBytes() {}

  /** One primitive array held by a field: the field's name, the array and its element bytes. */
  public record Held(String field, Object array, long bytes) {}

  /**
   * The primitive arrays the instance fields of {@code object} (its class and superclasses)
   * reference, except those identical to one of {@code shared} (such as the network's parameter
   * array, which a workspace only points to); in field order, an array of arrays as its rows.
   */
  public static List<Held> arrays(Object object, Object... shared) {
    Set<Object> seen = Collections.newSetFromMap(new IdentityHashMap<>());
    seen.addAll(Arrays.asList(shared));
    List<Held> out = new ArrayList<>();
    for (Class<?> c = object.getClass(); c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field f : c.getDeclaredFields()) {
        if (Modifier.isStatic(f.getModifiers()) || !f.getType().isArray()) {
          continue;
        }
        f.setAccessible(true);
        Object value;
        try {
          value = f.get(object);
        } catch (IllegalAccessException e) {
          throw new IllegalStateException("cannot read " + f, e);
        }
        collect(f.getName(), value, seen, out);
      }
    }
    return out;
  }

  /** The bytes of {@link #arrays}' elements, summed. */
  public static long total(Object object, Object... shared) {
    return arrays(object, shared).stream().mapToLong(Held::bytes).sum();
  }

  private static void collect(String field, Object value, Set<Object> seen, List<Held> out) {
    if (value == null || !seen.add(value)) {
      return;
    }
    Class<?> component = value.getClass().getComponentType();
    int length = Array.getLength(value);
    if (component.isPrimitive()) {
      out.add(new Held(field, value, (long) length * bytes(component)));
    } else if (component.isArray()) {
      for (int i = 0; i < length; i++) {
        collect(field, Array.get(value, i), seen, out);
      }
    }
  }

  /** Bytes of one element of a primitive type. */
  public static int bytes(Class<?> primitive) {
    if (primitive == double.class || primitive == long.class) {
      return 8;
    }
    if (primitive == float.class || primitive == int.class) {
      return 4;
    }
    if (primitive == short.class || primitive == char.class) {
      return 2;
    }
    return 1;
  }
}
