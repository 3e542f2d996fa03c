package dev.setrec.cluster;

/** The real-cluster scenarios with the model inside the task managers (flink-lib in their lib/). */
class InProcessScoringClusterIT extends ClusterScenarios {
    InProcessScoringClusterIT() {
        super(new InProcessScoring());
    }
}
