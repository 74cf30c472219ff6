# The Factory Task Scoring server and rater app, for Cloud Run.
#
# Stage 1 installs every workspace and builds them; stage 2 holds only what runs: the
# server's production dependencies, the built server, shared package and client, and the
# example runs (loaded only into an empty file:// store; never on GCS unless LOAD_DEMO=always).
# No secret and no data is baked in: STORAGE_URL, UPLOAD_TOKEN and the rest come from the
# environment (see DEPLOY.md). `npm run test:image` (test/deploy/image.ci.ts) rebuilds these
# stages without Docker and starts the result.

# Pinned so that a rebuild gives the same Node; bump deliberately.
ARG NODE_IMAGE=node:20.20.2-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
# Manifests first, so the install layer is reused while only sources change.
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY cli/package.json cli/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.json ./
COPY shared shared
COPY server server
COPY client client
COPY cli cli
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
COPY shared/package.json shared/
COPY server/package.json server/
COPY client/package.json client/
COPY cli/package.json cli/
RUN npm ci --omit=dev --workspace server --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/shared/dist shared/dist
COPY --from=build /app/server/dist server/dist
COPY --from=build /app/client/dist client/dist
COPY examples examples
# The embedded store's default folder (file://./data), writable by the app's user; Cloud Run
# deployments use gs:// instead.
RUN mkdir -p /app/data && chown node:node /app/data
# The node image's unprivileged user (uid 1000).
USER node
ENV PORT=8080
EXPOSE 8080
CMD ["node", "server/dist/main.js"]
