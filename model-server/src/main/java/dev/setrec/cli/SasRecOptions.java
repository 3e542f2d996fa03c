package dev.setrec.cli;

import dev.setrec.model.sasrec.SasRecConfig;
import picocli.CommandLine.Option;

/** SASRec settings as command-line options; defaults are {@link SasRecConfig#defaults()}. */
public final class SasRecOptions {
    private static final SasRecConfig D = SasRecConfig.defaults();

    @Option(names = "--dim", description = "transformer width (default ${DEFAULT-VALUE})")
    int dim = D.dim();
    @Option(names = "--heads", description = "attention heads (default ${DEFAULT-VALUE})")
    int heads = D.heads();
    @Option(names = "--blocks", description = "transformer blocks (default ${DEFAULT-VALUE})")
    int blocks = D.blocks();
    @Option(names = "--ffn", description = "feed-forward width (default ${DEFAULT-VALUE})")
    int ffn = D.ffnDim();
    @Option(names = "--dropout", description = "dropout rate (default ${DEFAULT-VALUE})")
    float dropout = D.dropout();
    @Option(names = "--history", description = "history length in items (default ${DEFAULT-VALUE})")
    int history = D.maxLen();
    @Option(names = "--lr", description = "learning rate (default ${DEFAULT-VALUE})")
    float lr = D.learningRate();
    @Option(names = "--weight-decay", description = "decoupled weight decay (default ${DEFAULT-VALUE})")
    float weightDecay = D.weightDecay();
    @Option(names = "--batch-tokens", description = "positions per training batch (default ${DEFAULT-VALUE})")
    int batchTokens = D.batchTokens();
    @Option(names = "--max-epochs", description = "upper bound on epochs with early stopping (default ${DEFAULT-VALUE})")
    int maxEpochs = D.maxEpochs();
    @Option(names = "--patience", description = "epochs without a better valid Recall@10 before stopping (default ${DEFAULT-VALUE})")
    int patience = D.patience();
    @Option(names = "--epochs", description = "train exactly this many epochs, no early stopping (needed for --fit train+valid)")
    int epochs = 0;
    @Option(names = "--time-budget", paramLabel = "MINUTES", description = "stop after the epoch that crosses this budget, keeping the best epoch")
    double timeBudget = 0;
    @Option(names = "--seed", description = "random seed (default ${DEFAULT-VALUE})")
    long seed = D.seed();

    SasRecConfig toConfig() {
        return new SasRecConfig(dim, heads, blocks, ffn, dropout, history, lr, weightDecay, batchTokens, maxEpochs,
                patience, epochs, timeBudget, seed);
    }
}
