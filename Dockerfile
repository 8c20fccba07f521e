# The omk bot (Probot app). Build after `npm run build` (dist/bot.js is the bundle):
#   docker build -t omk-bot .
#   docker run --env-file .env -v "$PWD/omk-bot.private-key.pem:/app/key.pem:ro" \
#     -e PRIVATE_KEY_PATH=/app/key.pem -p 3000:3000 omk-bot
# Only the files listed below enter the image: no .env, no keys, no source, no dev dependencies.
FROM node:24-slim

# git: the bot clones the default branch, fetches and pushes (argv only, never a shell).
RUN apt-get update \
  && apt-get install -y --no-install-recommends git ca-certificates \
  && rm -rf /var/lib/apt/lists/*

WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# Runtime dependencies only (probot, octokit, zod, ...); no install scripts run.
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY dist/bot.js dist/bot.js

# Probot listens on localhost unless HOST says otherwise, and a published port (-p 3000:3000)
# reaches the container's own interface, not its loopback: listen on every interface.
# Temporary checkouts live in OMK_BOT_WORK_DIR and are removed when each job ends.
ENV PORT=3000 HOST=0.0.0.0 OMK_BOT_WORK_DIR=/tmp/omk-bot
USER node
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/ping').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# probot verifies webhook signatures, serves WEBHOOK_PATH and authenticates as the app. SIGTERM
# interrupts running goals (resumable), pushes their state, then stops.
CMD ["node_modules/.bin/probot", "run", "./dist/bot.js"]
