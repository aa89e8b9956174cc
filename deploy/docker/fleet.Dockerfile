# syntax=docker/dockerfile:1
# The fleet server in a container. UNTESTED: no container engine runs where this was written (docker CLI
# present, no daemon); the publish step inside is the publish profile's, which is tested.
#   docker build -f deploy/docker/fleet.Dockerfile -t edgeml-fleet .                      # from the repository root
#   docker run -d --env-file /etc/edgeml/fleet.env -v edgeml-fleet:/var/lib/edgeml-fleet \
#     -p 7400:7400 -p 7401:7401 -p 1883:1883 edgeml-fleet
#   docker exec <container> cat /var/lib/edgeml-fleet/admin.token
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY .editorconfig Directory.Build.props Directory.Packages.props ./
COPY protos/ protos/
COPY fleet-server/ fleet-server/
RUN dotnet publish fleet-server/EdgeMl.Fleet.csproj -p:PublishProfile=linux-x64 \
 && mv artifacts/fleet-server-linux-x64 /app

# Framework-dependent (fleet-server/Properties/PublishProfiles/linux-x64.pubxml says why): the ASP.NET Core runtime image.
FROM mcr.microsoft.com/dotnet/aspnet:10.0
COPY --from=build /app /opt/edgeml/fleet-server
RUN mkdir -p /var/lib/edgeml-fleet && chown 1654:1654 /var/lib/edgeml-fleet && chmod 0700 /var/lib/edgeml-fleet
# 1654 is the non-root "app" user of Microsoft's images.
USER 1654
ENV EDGEML_FLEET__DATADIRECTORY=/var/lib/edgeml-fleet
# Inside a container loopback reaches nothing; give it TLS (EDGEML_FLEET__CERTIFICATEPATH/KEYPATH) beyond a trusted network.
ENV EDGEML_FLEET__BIND=0.0.0.0
EXPOSE 7400 7401 1883
VOLUME /var/lib/edgeml-fleet
ENTRYPOINT ["/opt/edgeml/fleet-server/fleet-server"]
CMD ["serve"]
