# syntax=docker/dockerfile:1
# The edge agent in a container. UNTESTED: no container engine runs where this was written (docker CLI
# present, no daemon); the publish step inside is the one scripts/publish-agent runs, which is tested.
#   docker build -f deploy/docker/agent.Dockerfile -t edgeml-agent .                      # from the repository root
#   docker buildx build --platform linux/arm64 -f deploy/docker/agent.Dockerfile -t edgeml-agent:arm64 .
#   docker run -d --env-file /etc/edgeml/agent.env -v edgeml-agent:/var/lib/edgeml-agent \
#     --device /dev/video0 --device /dev/gpiochip0 --group-add video edgeml-agent
# CUDA flavour (linux-x64 only): --build-arg ACCELERATOR=cuda --build-arg RUNTIME_BASE=<an nvidia/cuda 13 cudnn
# runtime image>, run with --gpus all.

# Declared before the first FROM, where FROM can use it.
ARG RUNTIME_BASE=mcr.microsoft.com/dotnet/runtime-deps:10.0

# Built on the build machine's own platform and cross-published for the target: no emulation needed.
FROM --platform=$BUILDPLATFORM mcr.microsoft.com/dotnet/sdk:10.0 AS build
ARG TARGETARCH
ARG ACCELERATOR=cpu
WORKDIR /src
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY edge-agent/ edge-agent/
RUN case "$TARGETARCH" in amd64) rid=linux-x64 ;; arm64) rid=linux-arm64 ;; *) echo "no agent build for $TARGETARCH" >&2; exit 1 ;; esac \
 && dotnet publish edge-agent/EdgeMl.Agent.csproj -p:PublishProfile=$rid -p:Accelerator=$ACCELERATOR \
 && mv artifacts/edge-agent-$ACCELERATOR-$rid /app

# Self-contained and trimmed: the image needs only the native libraries .NET itself relies on.
FROM ${RUNTIME_BASE}
# ffmpeg reads --camera; libgpiod is System.Device.Gpio's way to the GPIO chip; libturbojpeg0 decodes JPEG frames.
RUN apt-get update \
 && apt-get install -y --no-install-recommends ffmpeg libgpiod2 libturbojpeg0 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /app /opt/edgeml/edge-agent
# 1654 is the non-root "app" user of Microsoft's images; a number works in other base images too.
RUN mkdir -p /var/lib/edgeml-agent && chown 1654:1654 /var/lib/edgeml-agent && chmod 0700 /var/lib/edgeml-agent
USER 1654
ENV EDGEML_AGENT__DATADIRECTORY=/var/lib/edgeml-agent
VOLUME /var/lib/edgeml-agent
ENTRYPOINT ["/opt/edgeml/edge-agent/edge-agent"]
CMD ["run"]
