package dev.setrec.cluster;

/** The real-cluster scenarios with the job scoring on the model server. */
class RemoteScoringClusterIT extends ClusterScenarios {
    RemoteScoringClusterIT() {
        super(new RemoteScoring());
    }
}
