package dev.setrec.cli;

import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.model.setrec.ScoreMix;
import dev.setrec.model.setrec.SetRecArchitecture;
import dev.setrec.model.setrec.SetRecTraining;
import dev.setrec.models.Training;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/**
 * Model settings as command-line options. The shared ones apply to the model being trained; left out, each
 * model's own default holds ({@link SasRecConfig#defaults()}, {@link SetRecArchitecture.Builder},
 * {@link SetRecTraining.Builder}).
 */
public final class ModelOptions {
    @Option(names = "--dim", description = "transformer width (default 64)")
    Integer dim;
    @Option(names = "--heads", description = "attention heads (default 2)")
    Integer heads;
    @Option(names = "--blocks", description = "transformer blocks (default 2)")
    Integer blocks;
    @Option(names = "--ffn", description = "feed-forward width (default 256)")
    Integer ffn;
    @Option(names = "--dropout", description = "dropout rate (default: SASRec 0.5, SETRec 0.3)")
    Float dropout;
    @Option(names = "--history", description = "history length in items (default 50)")
    Integer history;
    @Option(names = "--lr", description = "learning rate (default 0.001)")
    Float lr;
    @Option(names = "--weight-decay", description = "decoupled weight decay (default: SASRec 0, SETRec 0.01)")
    Float weightDecay;
    @Option(names = "--batch-tokens", description = "training positions per batch (default: SASRec 1024, SETRec 2048)")
    Integer batchTokens;
    @Option(names = "--max-epochs", description = "upper bound on epochs with early stopping (default: SASRec 80, "
            + "SETRec 40)")
    Integer maxEpochs;
    @Option(names = "--patience", description = "epochs without a better valid Recall@10 before stopping (default: "
            + "SASRec 6, SETRec 10)")
    Integer patience;
    @Option(names = "--epochs", description = "train exactly this many epochs, no early stopping (needed for --fit "
            + "train+valid)")
    int epochs = 0;
    @Option(names = "--time-budget", paramLabel = "MINUTES", description = "stop after the epoch that crosses this "
            + "budget, keeping the best epoch; SETRec's counts from the start of its fit, its CF tokens' SASRec "
            + "included; 0 = none (default: SASRec none, SETRec 55)")
    Double timeBudget;
    @Option(names = "--seed", description = "random seed (default 42)")
    Long seed;

    @Option(names = "--n-sem", description = "SETRec: semantic tokens per item, 0 = CF-only ablation (default 4)")
    Integer semTokens;
    @Option(names = "--alpha", description = "SETRec: weight of the tokenizer's reconstruction loss (default 0.7)")
    Float alpha;
    @Option(names = "--full-attention", description = "SETRec ablation: plain causal attention over the history's "
            + "tokens instead of the sparse set mask")
    boolean fullAttention;
    @Option(names = "--beta", description = "SETRec: fix beta instead of choosing it on valid, for cold items too "
            + "unless --beta-cold (1 = semantic-only)")
    Float beta;
    @Option(names = "--beta-cold", description = "SETRec: fix the beta of cold items (CF input predicted from text) "
            + "instead of choosing it on valid")
    Float betaCold;
    @Option(names = "--cold-shift", description = "SETRec: fix the shift added to cold items' scores instead of "
            + "choosing it on valid")
    Float coldShift;
    @Option(names = "--cf-dropout", description = "SETRec: per step, the share of items trained with their CF input "
            + "predicted from text, as cold items have it (default 0)")
    Float cfDropout;
    @Option(names = "--weight-average", paramLabel = "DECAY", description = "SETRec: validate and keep a moving "
            + "average of the weights, this decay per step; 0 = the last weights (default 0.995)")
    Float weightAverage;
    @Option(names = "--negatives", description = "SETRec: per step, score each position against its target and "
            + "this many items drawn for the batch (a sampled softmax) instead of the whole catalogue (default 0 = "
            + "the whole catalogue)")
    Integer negatives;
    @Option(names = "--warmup", description = "SETRec: learning-rate warm-up steps (default 100)")
    Integer warmup;
    @Option(names = "--cf-model", paramLabel = "DIR", description = "SETRec: take CF tokens from this SASRec model "
            + "dir instead of training one")
    Path cfModel;
    @Option(names = "--cf-reference", description = "SETRec: take CF tokens from the data dir's sasrec_item_emb.tsv "
            + "(comparison only)")
    boolean cfReference;
    @Option(names = "--text-cache", paramLabel = "DIR", description = "where item text embeddings are cached "
            + "(default ~/.cache/setrec/text-embeddings)")
    Path textCache;

    SasRecConfig sasrec() {
        SasRecConfig d = SasRecConfig.defaults();
        return new SasRecConfig(or(dim, d.dim()), or(heads, d.heads()), or(blocks, d.blocks()), or(ffn, d.ffnDim()),
                or(dropout, d.dropout()), or(history, d.maxLen()), or(lr, d.learningRate()),
                or(weightDecay, d.weightDecay()), or(batchTokens, d.batchTokens()), or(maxEpochs, d.maxEpochs()),
                or(patience, d.patience()), epochs, timeBudget(d.timeBudgetMinutes()), or(seed, d.seed()));
    }

    SetRecArchitecture setrec() {
        SetRecArchitecture d = SetRecArchitecture.DEFAULT;
        return SetRecArchitecture.builder().dim(or(dim, d.dim())).heads(or(heads, d.heads()))
                .blocks(or(blocks, d.blocks())).ffnDim(or(ffn, d.ffnDim())).maxLen(or(history, d.maxLen()))
                .semTokens(or(semTokens, d.semTokens())).sparseMask(!fullAttention).build();
    }

    SetRecTraining setrecTraining() {
        SetRecTraining d = SetRecTraining.DEFAULT;
        return d.toBuilder().dropout(or(dropout, d.dropout())).alpha(or(alpha, d.alpha()))
                .learningRate(or(lr, d.learningRate())).weightDecay(or(weightDecay, d.weightDecay()))
                .warmupSteps(or(warmup, d.warmupSteps())).batchTokens(or(batchTokens, d.batchTokens()))
                .maxEpochs(or(maxEpochs, d.maxEpochs())).patience(or(patience, d.patience())).fixedEpochs(epochs)
                .timeBudgetMinutes(timeBudget(d.timeBudgetMinutes())).fixedMix(fixedMix())
                .cfDropout(or(cfDropout, d.cfDropout()))
                .weightAverage(or(weightAverage, d.weightAverage())).negatives(or(negatives, d.negatives()))
                .seed(or(seed, d.seed())).build();
    }

    /** The budget given, else the model's default; a fixed --epochs count is never cut short by a default. */
    private double timeBudget(double modelDefault) {
        return timeBudget != null ? timeBudget : epochs > 0 ? 0 : modelDefault;
    }

    private ScoreMix.Fixed fixedMix() {
        return new ScoreMix.Fixed(beta, or(betaCold, beta), coldShift);
    }

    Training.Options toOptions() {
        Training.CfSource cf = cfReference ? Training.CfSource.REFERENCE_FILE
                : cfModel != null ? Training.CfSource.MODEL_DIR : Training.CfSource.TRAIN_SASREC;
        return new Training.Options(sasrec(), setrec(), setrecTraining(), cf, cfModel, textCache);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
