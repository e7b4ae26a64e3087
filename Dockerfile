# Two images from one Dockerfile, each pushed once and deployed by digest.
# - serve (the last stage, what a plain `docker build` makes): one image for Lambda, ECS and EKS, the same bytes
#   everywhere. It holds the server and no training code (the delivery tests check its bundles' sources).
# - jobs (`docker build --target jobs`): the `glyco` command with the trainer, for the scheduled drift and
#   retrain job and the scoring task on ECS Fargate. Its ENTRYPOINT is the command, so a task's `command` is
#   glyco's arguments: ["job","pima-diabetes","--registry","s3://bucket/models","--json"].
#
# Runtime: AWS's Lambda base image for Node 24 (Amazon Linux 2023, glibc, x86_64), for both. On Lambda the serving
# image's CMD, the handler dist/lambda.handler, runs under AWS's own runtime interface client, patched and cached
# by Lambda; ECS and EKS run the command `node dist/server.mjs` from /app. Build: Debian's Node 24 image, the OS
# on which the `package` target that assembles the app directories is tested. Both are pinned by digest; to move
# them, take the new digest from `docker buildx imagetools inspect <image:tag>` and run the delivery tests.

FROM node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d AS workspace
WORKDIR /src
ENV CI=true
COPY package.json ./
# pnpm at the version package.json pins (packageManager).
RUN npm install --global --no-audit --no-fund \
      "pnpm@$(node -p "require('./package.json').packageManager.split('@')[1]")"
COPY pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./
# pnpm refuses to fetch without the patch files pnpm-workspace.yaml names (patchedDependencies).
COPY patches ./patches
RUN --mount=type=cache,id=glyco-pnpm-store,target=/pnpm-store \
    pnpm fetch --store-dir /pnpm-store
COPY . .

# BuildKit builds only the stages a target needs: `docker build` skips build-jobs and jobs.
FROM workspace AS build
# Only what the serving app needs to build: the server and its workspace dependencies, and the packager.
RUN --mount=type=cache,id=glyco-pnpm-store,target=/pnpm-store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm-store \
      --filter "@glyco/server..." --filter @glyco/delivery \
 && pnpm --filter @glyco/delivery run package --out /out/app

FROM workspace AS build-jobs
# The CLI with the trainer and everything it runs on, and the packager.
RUN --mount=type=cache,id=glyco-pnpm-store,target=/pnpm-store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm-store \
      --filter "@glyco/cli..." --filter @glyco/delivery \
 && pnpm --filter @glyco/delivery run package --app jobs --out /out/jobs

FROM public.ecr.aws/lambda/nodejs:24@sha256:2472f0273d8848d8b2aa6528f5526b8a514b70703596199efe5a4b84d3d59b0b AS jobs
ENV NODE_ENV=production \
    HOME=/tmp
COPY --from=build-jobs /out/jobs /app/
# /tmp as in the serving image (below): a VOLUME its user can write, so the bind mount Fargate puts there is too.
# The job trains, scores and downloads models there (the system temp directory); it is the working directory
# too, so a relative path in a command (score --out scores.csv) lands somewhere writable. /app is read-only.
RUN install -d -o 10001 -g 10001 -m 1777 /tmp
VOLUME ["/tmp"]
WORKDIR /tmp
USER 10001:10001
# `node` is the base image's Node 24, on its PATH (/var/lang/bin; aws/aws-lambda-base-images, the nodejs
# Dockerfiles' ENV PATH), as for the serving image's `node dist/server.mjs`.
ENTRYPOINT ["node", "/app/dist/glyco.mjs"]

FROM public.ecr.aws/lambda/nodejs:24@sha256:2472f0273d8848d8b2aa6528f5526b8a514b70703596199efe5a4b84d3d59b0b AS serve
ENV NODE_ENV=production \
    HOME=/tmp
# LAMBDA_TASK_ROOT (/var/task) is where Lambda looks for the handler; /app is the same directory for ECS and EKS.
COPY --from=build /out/app /var/task/
COPY --chmod=0755 packages/delivery/image/entrypoint.sh /usr/local/bin/glyco-entrypoint
# /tmp is the app's only writable path (model cache, prediction spool). ECS on Fargate mounts a task bind mount
# there, which starts as a copy of the image's /tmp, owner and mode included, only because /tmp is a VOLUME;
# otherwise it is an empty root-owned 0755 directory user 10001 cannot write (AWS docs, "Use bind mounts with
# Amazon ECS", considerations; aws/containers-roadmap#938). Made before the VOLUME: later changes are discarded.
# Lambda and EKS mount their own writable /tmp (Lambda's ephemeral storage, an emptyDir) over it.
RUN ln -s /var/task /app \
 && install -d -o 10001 -g 10001 -m 1777 /tmp
VOLUME ["/tmp"]
WORKDIR /app
# Lambda runs the function as its own unprivileged user; ECS and EKS run as this one. The app is read-only to both.
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/glyco-entrypoint"]
CMD ["dist/lambda.handler"]
