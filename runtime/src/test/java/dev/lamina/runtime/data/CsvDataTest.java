package dev.lamina.runtime.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvDataTest {
  @TempDir Path dir;

  private Path csv(String text) throws IOException {
    Path f = dir.resolve("data.csv");
    Files.writeString(f, text);
    return f;
  }

  @Test
  void aHeaderIsDetectedAndTheLabelFoundByName() throws IOException {
    Path f = csv("sepal,species,petal\n5.1,setosa,1.4\n\n7.0,versicolor,4.7\n6.3,virginica,6\n"
        + "4.9,setosa,-1.5e-1\n");
    CsvData.Loaded d = CsvData.at(f).label("species").load();
    assertEquals(List.of("setosa", "versicolor", "virginica"), d.classes());
    assertEquals(List.of("sepal", "petal"), d.features());
    assertArrayEquals(new int[] {0, 1, 2, 0}, d.dataset().labels());
    assertArrayEquals(new float[] {5.1f, 1.4f, 7.0f, 4.7f, 6.3f, 6f, 4.9f, -0.15f},
        d.dataset().features());
    assertArrayEquals(new int[] {2}, d.dataset().sampleShape());
  }

  @Test
  void withoutAHeaderIntegerLabelsAreTheClassesAndTheLastColumnIsTheDefault() throws IOException {
    Path f = csv("1,2,3\n4,5,0\n\"7\",8,1\n");
    CsvData.Loaded d = CsvData.at(f).load();
    assertEquals(List.of("0", "1", "2", "3"), d.classes());
    assertArrayEquals(new int[] {3, 0, 1}, d.dataset().labels());
    assertArrayEquals(new float[] {1, 2, 4, 5, 7, 8}, d.dataset().features());
    CsvData.Loaded byIndex = CsvData.at(f).label(0).load();
    assertArrayEquals(new int[] {1, 4, 7}, byIndex.dataset().labels());
    assertArrayEquals(new float[] {2, 3, 5, 0, 8, 1}, byIndex.dataset().features());
  }

  @Test
  void malformedRowsNameTheirLineAndColumn() throws IOException {
    Path f = csv("a,b,label\n1,2,x\n3,oops,y\n");
    DatasetFormatException e =
        assertThrows(DatasetFormatException.class, () -> CsvData.at(f).label("label").load());
    assertEquals(f + ": line 3, column 2 (b): expected a finite number, found \"oops\"",
        e.getMessage());

    Path g = csv("a,b,label\n1,2,x\n3,4\n");
    e = assertThrows(DatasetFormatException.class, () -> CsvData.at(g).label("label").load());
    assertEquals(g + ": line 3: expected 3 fields, found 2", e.getMessage());

    Path h = csv("a,b,label\n1,2,x\n");
    e = assertThrows(DatasetFormatException.class, () -> CsvData.at(h).label("class").load());
    assertEquals(h + ": line 1: no column named 'class' in the header (columns: a, b, label)",
        e.getMessage());

    Path i = csv("1,2,0\n3,NaN,1\n");
    e = assertThrows(DatasetFormatException.class, () -> CsvData.at(i).load());
    assertEquals(i + ": line 2, column 2 (column 1): expected a finite number, found \"NaN\"",
        e.getMessage());

    Path j = csv("1,\"2,0\n");
    e = assertThrows(DatasetFormatException.class, () -> CsvData.at(j).load());
    assertEquals(j + ": line 1: a quote opened and not closed", e.getMessage());
  }
}
