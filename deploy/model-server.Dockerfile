# syntax=docker/dockerfile:1
# The SETRec model server (./setrec serve) of docker-compose.yml. Build context: the repository root.
#   docker build -f deploy/model-server.Dockerfile -t setrec/model-server:local .                         # CPU
#   docker build -f deploy/model-server.Dockerfile --build-arg TORCH_FLAVOR=cu128 -t setrec/model-server:local .
#
# TORCH_FLAVOR picks the PyTorch native library DJL runs on:
# - cpu (default): libtorch 2.7.1 for the CPU from the pytorch-native-cpu jar on Maven Central, as everywhere else
#   in this repository.
# - cu128: the CUDA 12.8 build of libtorch 2.7.1, for a GPU. Maven Central has no CUDA jar for PyTorch 2.7.1
#   (../shared/notes/djl.md), so the build stage lets DJL download it from its own site (publish.djl.ai, about 3 GB
#   unpacked, CUDA runtime, cuBLAS and cuDNN included) and the image points DJL at it (PYTORCH_LIBRARY_PATH,
#   PYTORCH_FLAVOR; the matching cu128 JNI library is in the pytorch-jni jar already). The CPU jar is dropped from
#   the class path, else DJL would take it. Nothing is downloaded at run time (the launcher sets ai.djl.offline).
#   The host needs an NVIDIA driver for CUDA 12.8 (570 or newer) and the NVIDIA Container Toolkit; docker-compose.yml
#   reserves the GPU (deploy.resources.reservations.devices), the toolkit mounts the driver into the container.
#   With --device auto (the default) the server uses the GPU when libtorch sees one, the CPU otherwise.
ARG TORCH_FLAVOR=cpu

# Build what ./setrec builds on first use (the same Maven command), with the local repository at /opt/m2 so that the
# class path file's jar paths hold in the runtime stage, which gets only the jars on that class path.
FROM eclipse-temurin:17-jdk AS build
ARG TORCH_FLAVOR
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/setrec
COPY . .
RUN --mount=type=cache,target=/root/.m2 --mount=type=cache,target=/opt/m2 \
    ./mvnw -B -ntp -Dmaven.repo.local=/opt/m2 -DskipTests -pl tools -am package dependency:build-classpath \
        -Dmdep.outputFile=tools/target/setrec.classpath -Dmdep.includeScope=runtime \
    && if [ "$TORCH_FLAVOR" != cpu ]; then \
         tr ':' '\n' < tools/target/setrec.classpath | grep -v '/pytorch-native-cpu/' | paste -sd: \
           > /tmp/classpath && mv /tmp/classpath tools/target/setrec.classpath; \
       fi \
    && mkdir -p /opt/deps \
    && tr ':' '\n' < tools/target/setrec.classpath | grep '^/opt/m2/' | xargs cp --parents -t /opt/deps

# Unpack (cpu) or download (cu*) libtorch into DJL's cache now, not at every start. The build machine may have no GPU
# driver: for cu* a failed load after the download is fine, a missing download is not.
ENV DJL_CACHE_DIR=/opt/djl
COPY <<'EOF' /tmp/WarmUp.java
public class WarmUp {
    public static void main(String[] args) {
        System.out.println("PyTorch " + ai.djl.engine.Engine.getEngine("PyTorch").getVersion());
    }
}
EOF
RUN CP="tools/target/classes:$(sed 's#/opt/m2/#/opt/deps/opt/m2/#g' tools/target/setrec.classpath)"; \
    if [ "$TORCH_FLAVOR" = cpu ]; then \
      java -cp "$CP" /tmp/WarmUp.java; \
    else \
      PYTORCH_FLAVOR="$TORCH_FLAVOR" java -cp "$CP" /tmp/WarmUp.java || true; \
      ls -d "$DJL_CACHE_DIR"/pytorch/*-cu12*-linux-x86_64 \
        || { echo "no CUDA libtorch was downloaded for $TORCH_FLAVOR" >&2; exit 1; }; \
    fi

FROM eclipse-temurin:17-jre
ARG TORCH_FLAVOR
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 setrec
COPY --from=build /opt/deps/opt/m2 /opt/m2
COPY --from=build /opt/setrec /opt/setrec
COPY --from=build /opt/djl /opt/djl
WORKDIR /opt/setrec
# the class path file newer than every source: the launcher runs what was built and never rebuilds
RUN touch tools/target/setrec.classpath \
    && d="$(ls -d /opt/djl/pytorch/*-cu12*-linux-x86_64 2>/dev/null | head -n 1)" \
    && if [ -n "$d" ]; then ln -s "$d" /opt/libtorch; fi \
    && mkdir -p /data/item-store \
    && chown -R setrec /opt/djl /data/item-store
# PYTORCH_LIBRARY_PATH exists only in the cu* image (else DJL unpacks from the CPU jar, already done above)
ENV DJL_CACHE_DIR=/opt/djl \
    PYTORCH_FLAVOR=${TORCH_FLAVOR} \
    PYTORCH_LIBRARY_PATH=/opt/libtorch \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
USER setrec
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=5s --start-period=180s --retries=6 \
    CMD curl -fsS -o /dev/null http://127.0.0.1:8080/health/ready || exit 1
CMD ["./setrec", "serve", "--model", "/models/current", "--host", "0.0.0.0", "--port", "8080", \
     "--item-store", "/data/item-store"]
