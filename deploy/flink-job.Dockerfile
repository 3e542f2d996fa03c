# syntax=docker/dockerfile:1
# Flink (job manager and task manager of docker-compose.yml) with the SETRec job jar in /opt/flink/usrlib, where
# application mode (standalone-job --job-classname ...) finds it. Build context: the repository root.
#   docker build -f deploy/flink-job.Dockerfile -t setrec/flink-job:local .
ARG FLINK_IMAGE=flink:2.2.1-java17

# The job jar: the flink-job-jar module (the job and its dependencies, without what the flink image already has).
FROM eclipse-temurin:17-jdk AS build
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -ntp -DskipTests -pl flink-job-jar -am package \
    && cp flink-job-jar/target/setrec-job-*.jar /setrec-job.jar

FROM ${FLINK_IMAGE}
USER root
# the checkpoint volume is created from this directory, so that the flink user owns it
RUN mkdir -p /opt/flink/usrlib /flink/checkpoints && chown flink:flink /opt/flink/usrlib /flink/checkpoints
COPY --from=build --chown=flink:flink /setrec-job.jar /opt/flink/usrlib/setrec-job.jar
USER flink
