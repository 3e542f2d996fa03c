# syntax=docker/dockerfile:1
# Flink (job manager and task manager of docker-compose.yml) with the SETRec job jar in /opt/flink/usrlib, where
# application mode (standalone-job --job-classname ...) finds it. Build context: the repository root.
#   docker build -f deploy/flink-job.Dockerfile -t setrec/flink-job:local .                                # remote
#   docker build -f deploy/flink-job.Dockerfile --build-arg SCORING=in-process -t setrec/flink-job:in-process .
#
# SCORING picks what the task managers score with (docs/cluster.md):
# - remote (default): the job jar alone; the model server scores.
# - in-process: also the in-process runtime (flink-lib: DJL, libtorch for the CPU, ONNX Runtime, the tokenizers, the
#   MiniLM files; 341 MB) in /opt/flink/lib, where each task manager loads it once for all its jobs.
ARG FLINK_IMAGE=flink:2.2.1-java17
ARG SCORING=remote

# The job jar: the flink-job-jar module (the job and its dependencies, without what the flink image already has).
FROM eclipse-temurin:17-jdk AS build
ARG SCORING
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    case "$SCORING" in \
      remote) runtime= ;; \
      in-process) runtime=,flink-lib ;; \
      *) echo "SCORING must be remote or in-process, not $SCORING" >&2; exit 1 ;; \
    esac \
    && ./mvnw -B -ntp -DskipTests -pl flink-job-jar$runtime -am package \
    && cp flink-job-jar/target/setrec-job-*.jar /setrec-job.jar \
    && mkdir /setrec-lib \
    && if [ "$SCORING" = in-process ]; then cp flink-lib/target/lib/*.jar /setrec-lib/; fi

FROM ${FLINK_IMAGE}
ARG SCORING
USER root
# the checkpoint volume is created from this directory, so that the flink user owns it; likewise DJL's cache (where
# libtorch unpacks on a task manager's first start, in-process only); the Prometheus reporter
# (metrics.reporter.prom.* in docker-compose.yml) is one of the plugins the image ships: fail here, not at run time,
# where it is missing
RUN mkdir -p /opt/flink/usrlib /flink/checkpoints && chown flink:flink /opt/flink/usrlib /flink/checkpoints \
    && if [ "$SCORING" = in-process ]; then mkdir -p /opt/djl && chown flink:flink /opt/djl; fi \
    && ls /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-*.jar
COPY --from=build --chown=flink:flink /setrec-job.jar /opt/flink/usrlib/setrec-job.jar
COPY --from=build --chown=flink:flink /setrec-lib/ /opt/flink/lib/
# the job manager's entry point: resumes the job from its newest retained checkpoint or savepoint
COPY --chmod=0755 deploy/jobmanager-entrypoint.sh deploy/newest-snapshot.sh /opt/setrec/
USER flink
