package dev.lamina.processor;

import com.google.auto.service.AutoService;
import com.palantir.javapoet.JavaFile;
import dev.lamina.dsl.Precision;
import dev.lamina.processor.check.Checker;
import dev.lamina.processor.decl.DeclarationReader;
import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.decl.LayerAnnotation;
import dev.lamina.processor.decl.NetworkDecl;
import dev.lamina.processor.diag.ElementSite;
import dev.lamina.processor.diag.Message;
import dev.lamina.processor.diag.Reporter;
import dev.lamina.processor.gen.NetworkGenerator;
import dev.lamina.processor.kind.LayerKinds;
import dev.lamina.processor.model.NetworkModel;
import java.io.IOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.annotation.processing.AbstractProcessor;
import javax.annotation.processing.Filer;
import javax.annotation.processing.ProcessingEnvironment;
import javax.annotation.processing.Processor;
import javax.annotation.processing.RoundEnvironment;
import javax.lang.model.SourceVersion;
import javax.lang.model.element.Element;
import javax.lang.model.element.TypeElement;
import javax.tools.FileObject;
import javax.tools.JavaFileObject;
import javax.tools.StandardLocation;

/**
 * The Lamina annotation processor: for every {@code @Network} class, reads the declaration, checks
 * it, and only when it is clean generates {@code Lamina_<Name>} (and {@code _F64}) and the summary
 * resource {@code META-INF/lamina/<qualified.Name>.txt}.
 *
 * <p>Every network is processed on its own: errors in one never stop another, and an unexpected
 * exception becomes one {@code internal error} diagnostic on the class or layer, never a javac
 * stack trace.
 *
 * <p>It claims its own annotations, and the {@code @Generated} of the classes it generated when no
 * other element of the round carries {@code @Generated}, so that {@code -Xlint:all} (whose
 * {@code processing} check warns about annotations no processor claimed) reports nothing the
 * user did not write.
 */
@AutoService(Processor.class)
public final class LaminaProcessor extends AbstractProcessor {
  /** Where the generated summary of a network goes, relative to the class output. */
  public static final String SUMMARY_DIRECTORY = "META-INF/lamina/";

  /** The annotation on every generated class. */
  private static final String GENERATED = "javax.annotation.processing.Generated";

  private final LayerKinds kinds;
  private final Checker.Probe probe;
  private DeclarationReader reader;
  private Reporter reporter;
  private Filer filer;
  /** Qualified names of the classes generated so far. */
  private final Set<String> generated = new HashSet<>();

  public LaminaProcessor() {
    this(LayerKinds.STANDARD, what -> {});
  }

  /** For tests: a probe called before each network and layer, which may throw. */
  LaminaProcessor(Checker.Probe probe) {
    this(LayerKinds.STANDARD, probe);
  }

  /** For tests: other layer kinds, and a probe. */
  LaminaProcessor(LayerKinds kinds, Checker.Probe probe) {
    this.kinds = kinds;
    this.probe = probe;
  }

  @Override
  public synchronized void init(ProcessingEnvironment processingEnv) {
    super.init(processingEnv);
    reader = new DeclarationReader(processingEnv.getElementUtils(), kinds.annotations());
    reporter = new Reporter(processingEnv.getMessager());
    filer = processingEnv.getFiler();
  }

  @Override
  public Set<String> getSupportedAnnotationTypes() {
    Set<String> names = new LinkedHashSet<>();
    names.add(DeclarationReader.NETWORK);
    names.add(DeclarationReader.BLOCK);
    names.add(GENERATED);
    names.add(LayerAnnotation.APPLY.qualifiedName());
    for (LayerAnnotation k : kinds.annotations()) {
      names.add(k.qualifiedName());
    }
    return names;
  }

  @Override
  public SourceVersion getSupportedSourceVersion() {
    return SourceVersion.latestSupported();
  }

  @Override
  public boolean process(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    if (round.processingOver()) {
      return false;
    }
    try {
      reportOrphans(round);
    } catch (RuntimeException | StackOverflowError e) {
      reporter.report(Message.INTERNAL_ERROR, null, "layer annotations", Message.describe(e));
    }
    for (TypeElement type : networks(round)) {
      process(type);
    }
    return onlyOwnGenerated(annotations, round);
  }

  /**
   * Whether every element of the round annotated with {@code @Generated} is a class generated here
   * (so claiming the round's annotations takes nothing another processor may want).
   */
  private boolean onlyOwnGenerated(Set<? extends TypeElement> annotations, RoundEnvironment round) {
    for (TypeElement annotation : annotations) {
      if (annotation.getQualifiedName().contentEquals(GENERATED)) {
        for (Element e : round.getElementsAnnotatedWith(annotation)) {
          if (!(e instanceof TypeElement t
              && generated.contains(t.getQualifiedName().toString()))) {
            return false;
          }
        }
      }
    }
    return true;
  }

  private Set<TypeElement> networks(RoundEnvironment round) {
    Set<TypeElement> out = new LinkedHashSet<>();
    TypeElement network = processingEnv.getElementUtils().getTypeElement(DeclarationReader.NETWORK);
    if (network == null) {
      return out;
    }
    for (Element e : round.getElementsAnnotatedWith(network)) {
      if (e instanceof TypeElement t) {
        out.add(t);
      }
    }
    return out;
  }

  /** Layer annotations on fields of classes without {@code @Network}. */
  private void reportOrphans(RoundEnvironment round) {
    Set<Element> seen = new LinkedHashSet<>();
    Checker checker = new Checker(kinds::rulesOf);
    List<LayerAnnotation> layerAnnotations = new ArrayList<>(kinds.annotations());
    layerAnnotations.add(LayerAnnotation.APPLY);
    for (LayerAnnotation kind : layerAnnotations) {
      TypeElement annotation =
          processingEnv.getElementUtils().getTypeElement(kind.qualifiedName());
      if (annotation == null) {
        continue;
      }
      for (Element member : round.getElementsAnnotatedWith(annotation)) {
        Element owner = member.getEnclosingElement();
        if (!seen.add(member) || (owner != null
            && (DeclarationReader.find(owner, DeclarationReader.NETWORK) != null
            || DeclarationReader.find(owner, DeclarationReader.BLOCK) != null))) {
          continue;
        }
        LayerDecl layer = reader.readLayer(member);
        if (layer != null) {
          String ownerName = owner == null ? "?" : owner.getSimpleName().toString();
          reporter.reportAll(checker.checkOrphan(layer, ownerName));
        }
      }
    }
  }

  /** Reads, checks and (when clean) generates one network; never throws. */
  private void process(TypeElement type) {
    ElementSite site = new ElementSite(type,
        DeclarationReader.find(type, DeclarationReader.NETWORK), null, Set.of());
    try {
      NetworkDecl decl = reader.read(type);
      NetworkGenerator generator = new NetworkGenerator(kinds::emitterFor);
      Checker.Result result =
          new Checker(kinds::rulesOf, probe, generator::memoryPlan).check(decl);
      reporter.reportAll(result.diagnostics());
      NetworkModel model = result.model();
      if (model == null) {
        return;
      }
      for (Precision precision : EnumSet.copyOf(model.precisions())) {
        JavaFile file = generator.generate(model, precision);
        String name = file.packageName().isEmpty()
            ? file.typeSpec().name()
            : file.packageName() + "." + file.typeSpec().name();
        try {
          JavaFileObject source = filer.createSourceFile(name, type);
          generated.add(name);
          try (Writer w = source.openWriter()) {
            file.writeTo(w);
          }
        } catch (IOException e) {
          reporter.report(Message.WRITE_FAILED, site, decl.simpleName(), name, e.getMessage());
        }
      }
      String resource = SUMMARY_DIRECTORY + model.qualifiedName() + ".txt";
      try {
        FileObject summary =
            filer.createResource(StandardLocation.CLASS_OUTPUT, "", resource, type);
        try (Writer w = summary.openWriter()) {
          w.write(model.summary().toTable());
        }
      } catch (IOException e) {
        reporter.report(Message.WRITE_FAILED, site, decl.simpleName(), resource, e.getMessage());
      }
    } catch (RuntimeException | StackOverflowError e) {
      reporter.report(Message.INTERNAL_ERROR, site, type.getSimpleName(), Message.describe(e));
    }
  }
}
