# Ferry relay image. Multi-stage: install production dependencies in a build stage, copy the
# TypeScript sources (run directly by Node 24's type stripping, no build step) into a slim
# runtime stage that runs as a non-root user. Ports: 2587 (STARTTLS submission), 2465 (SMTPS).
# Equivalent of the README's `npm start`: `ferry serve` on config/default.yaml + FERRY_* env.

FROM node:24-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
# the `node` devDependency is not needed in the image: the base image is Node 24 already
RUN npm ci --omit=dev --ignore-scripts=false && npm cache clean --force

FROM node:24-bookworm-slim AS runtime
ENV NODE_ENV=production \
    FERRY_DATA_DIR=/var/lib/ferry \
    FERRY_INGRESS_HOST=0.0.0.0
WORKDIR /app
RUN groupadd --system ferry && useradd --system --gid ferry --home-dir /var/lib/ferry ferry \
    && mkdir -p /var/lib/ferry && chown ferry:ferry /var/lib/ferry
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY src ./src
COPY config ./config
USER ferry
VOLUME ["/var/lib/ferry"]
EXPOSE 2587 2465
# healthy = the submission port answers with an SMTP banner
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "const s=require('net').connect(2587,'127.0.0.1');s.setTimeout(4000);s.once('data',d=>process.exit(String(d).startsWith('220')?0:1));s.once('error',()=>process.exit(1));s.once('timeout',()=>process.exit(1))"
ENTRYPOINT ["node", "src/bin.js"]
CMD ["serve"]
