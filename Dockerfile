# syntax=docker/dockerfile:1
# Coffer's image: built with the project's Maven wrapper, run on a JRE 21 as a non-root user.
#   docker build -t coffer:0.1.0 .
#   docker run --read-only --tmpfs /tmp:exec -p 8080:8080 -e COFFER_PG_PRIMARY=... coffer:0.1.0
# Jib (api/pom.xml) builds the same image without Docker; see README "Container image".

# The contract's lint and the reference page's renderer (api/package.json), with npm's image.
FROM node:22-bookworm-slim AS contract
WORKDIR /src/api
COPY api/package.json api/package-lock.json api/redocly.yaml ./
COPY api/src/build/ src/build/
COPY api/src/main/resources/openapi.yaml src/main/resources/
RUN npm ci --no-audit --no-fund && REDOCLY_TELEMETRY=off npm run lint && npm run reference

FROM eclipse-temurin:21-jdk AS build
WORKDIR /src
# POMs and the wrapper first, so a source-only change reuses the dependency download layer.
COPY mvnw pom.xml ./
COPY .mvn/ .mvn/
COPY testkit/pom.xml testkit/
COPY ledger/pom.xml ledger/
COPY api/pom.xml api/
COPY helm/pom.xml helm/
COPY gatling/pom.xml gatling/
COPY clients/java/pom.xml clients/java/
COPY testkit/src/ testkit/src/
COPY ledger/src/ ledger/src/
COPY api/src/ api/src/
COPY --from=contract /src/api/target/classes/docs/ api/target/classes/docs/
# The tests need the database stack; they run in CI (./mvnw verify), not in the image build.
RUN --mount=type=cache,target=/root/.m2 \
    ./mvnw -B -q -pl api -am package -DskipTests -Dcoffer.contract.skip=true

FROM eclipse-temurin:21-jre
# A fixed numeric id: the Helm chart's securityContext runs as 10001 too.
RUN groupadd --system --gid 10001 coffer \
 && useradd --system --uid 10001 --gid coffer --home-dir /nonexistent --no-create-home \
      --shell /usr/sbin/nologin coffer
WORKDIR /app
COPY --from=build /src/api/target/coffer-api.jar /app/coffer-api.jar
# Heap from the container's memory limit, not the host's; die on OOM so the pod restarts clean.
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:InitialRAMPercentage=50 -XX:+ExitOnOutOfMemoryError" \
    COFFER_HTTP_HOST=0.0.0.0 \
    COFFER_HTTP_PORT=8080
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/app/coffer-api.jar"]
CMD ["serve"]
