# One image for Lambda, ECS and EKS: the same bytes, pushed once, deployed by digest everywhere.
#
# Runtime: AWS's Lambda base image for Node 24 (Amazon Linux 2023, glibc, x86_64). On Lambda the image's CMD, the
# handler dist/lambda.handler, runs under AWS's own runtime interface client, patched and cached by Lambda; ECS
# and EKS run the command `node dist/server.mjs` from /app. Build: Debian's Node 24 image, the OS on which the
# `package` target that assembles the app directory is tested. Both are pinned by digest; to move them, take the
# new digest from `docker buildx imagetools inspect <image:tag>` and run the delivery tests.

FROM node:24-bookworm-slim@sha256:6f7b03f7c2c8e2e784dcf9295400527b9b1270fd37b7e9a7285cf83b6951452d AS build
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
# Only what the app needs to build: the server and its workspace dependencies, and the packager.
RUN --mount=type=cache,id=glyco-pnpm-store,target=/pnpm-store \
    pnpm install --offline --frozen-lockfile --store-dir /pnpm-store \
      --filter "@glyco/server..." --filter @glyco/delivery \
 && pnpm --filter @glyco/delivery run package --out /out/app

FROM public.ecr.aws/lambda/nodejs:24@sha256:2472f0273d8848d8b2aa6528f5526b8a514b70703596199efe5a4b84d3d59b0b
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
