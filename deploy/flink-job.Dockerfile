# syntax=docker/dockerfile:1
# Flink (job manager and task manager of docker-compose.yml) with the SETRec job jar in /opt/flink/usrlib, where
# application mode (standalone-job --job-classname ...) finds it. Build context: the repository root.
#   docker build -f deploy/flink-job.Dockerfile -t setrec/flink-job:local .
ARG FLINK_IMAGE=flink:2.2.1-java17

# The job jar: flink-jobs' deploy profile (the job and its dependencies, without what the flink image already has).
FROM eclipse-temurin:17-jdk AS build
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -Pdeploy -DskipTests -pl flink-jobs -am package \
    && cp flink-jobs/target/flink-jobs-*-job.jar /setrec-job.jar

FROM ${FLINK_IMAGE}
USER root
# the checkpoint volume is created from this directory, so that the flink user owns it; the Prometheus reporter
# (metrics.reporter.prom.* in docker-compose.yml) is one of the plugins the image ships: fail here, not at run time,
# where it is missing
RUN mkdir -p /opt/flink/usrlib /flink/checkpoints && chown flink:flink /opt/flink/usrlib /flink/checkpoints \
    && ls /opt/flink/plugins/metrics-prometheus/flink-metrics-prometheus-*.jar
COPY --from=build --chown=flink:flink /setrec-job.jar /opt/flink/usrlib/setrec-job.jar
# the job manager's entry point: resumes the job from its newest retained checkpoint or savepoint
COPY --chmod=0755 deploy/jobmanager-entrypoint.sh deploy/newest-snapshot.sh /opt/setrec/
USER flink
