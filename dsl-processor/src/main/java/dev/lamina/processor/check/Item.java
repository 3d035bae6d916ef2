package dev.lamina.processor.check;

import dev.lamina.processor.decl.LayerDecl;
import dev.lamina.processor.diag.Site;
import dev.lamina.processor.model.ModelBuilder;
import java.util.List;

/**
 * One layer to check: a member of the network, or a layer of a block use (named {@code
 * use.member}, its block arguments substituted).
 *
 * @param decl the layer, under its node name
 * @param from the node names it reads ({@link ModelBuilder#INPUT} for the network input), or null
 *     when a reference could not be resolved (reported)
 * @param fromSite where {@code from} is written (the member when it is not)
 * @param context prefix of its messages: empty, or {@code "in res3a (Basic with args {..}): "}
 * @param inBlock whether it is a layer of a block use
 */
record Item(LayerDecl decl, List<String> from, Site fromSite, String context, boolean inBlock) {}
