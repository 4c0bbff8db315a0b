# syntax=docker/dockerfile:1
# Build stage: compile TypeScript and the better-sqlite3 native addon.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json ./
COPY src ./src
RUN npm run build && npm prune --omit=dev

# Runtime stage: no compilers, no dev dependencies, not root.
FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATA_DIR=/var/lib/hocba-gw
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY specs ./specs
COPY assets ./assets
# The dashboard's script and stylesheet, served as they are (src/dashboard/pages.ts).
COPY src/dashboard/assets ./src/dashboard/assets
RUN mkdir -p /var/lib/hocba-gw && chown node:node /var/lib/hocba-gw
USER node
VOLUME ["/var/lib/hocba-gw"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
ENTRYPOINT ["node", "dist/cli/main.js"]
CMD ["start"]
