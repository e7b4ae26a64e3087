import { APP_PORT, LIVENESS_PATH, READINESS_PATH, type Tags } from '@glyco/infra';
import type * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';

type In = pulumi.Input<string>;

export const APP_NAMESPACE = 'glyco';
export const APP_NAME = 'glyco-api';
/** The image's unprivileged user (Dockerfile `USER 10001:10001`). */
const APP_UID = 10001;

export interface AppManifestArgs {
  image: string;
  /** The server command, passed as the container's args: the image's entry point runs it. */
  args: string[];
  workingDir: string;
  environment: Record<string, In>;
  /** IAM role the pods assume through their service account (IRSA). */
  roleArn: In;
  minReplicas: number;
  maxReplicas: number;
  cpuTargetPercent: number;
  podCpu: string;
  podMemory: string;
  /** HTTPS on this host only, with this (validated) certificate; without it, plain HTTP on the ALB's name. */
  https: { host: string; certificateArn: In } | undefined;
  /** The bucket the ALB writes its access logs to, if any, under `alb/eks/` (where the platform's bucket policy
   * lets load balancers write). */
  accessLogsBucket: In | undefined;
  /** The WAF web ACL the load balancer controller associates with the ALB (`wafv2-acl-arn`). */
  webAclArn: In | undefined;
  tags: Tags;
}

export interface AppManifests {
  namespace: k8s.types.input.core.v1.Namespace;
  serviceAccount: k8s.types.input.core.v1.ServiceAccount;
  deployment: k8s.types.input.apps.v1.Deployment;
  service: k8s.types.input.core.v1.Service;
  ingress: k8s.types.input.networking.v1.Ingress;
  autoscaler: k8s.types.input.autoscaling.v2.HorizontalPodAutoscaler;
  disruptionBudget: k8s.types.input.policy.v1.PodDisruptionBudget;
}

const labels = { 'app.kubernetes.io/name': APP_NAME, 'app.kubernetes.io/part-of': 'glyco' };

/** The app's Kubernetes objects, as plain data: the stack creates them, the tests validate them. */
export function appManifests(args: AppManifestArgs): AppManifests {
  const metadata = { name: APP_NAME, namespace: APP_NAMESPACE, labels };
  const probe = (path: string, periodSeconds: number, failureThreshold: number) => ({
    httpGet: { path, port: 'http' },
    periodSeconds,
    failureThreshold,
    timeoutSeconds: 2,
  });
  const resources = { cpu: args.podCpu, memory: args.podMemory };
  return {
    namespace: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: APP_NAMESPACE, labels } },
    serviceAccount: {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: { ...metadata, annotations: { 'eks.amazonaws.com/role-arn': args.roleArn } },
    },
    deployment: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      // No replica count: the HorizontalPodAutoscaler owns it.
      metadata,
      spec: {
        selector: { matchLabels: labels },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: APP_NAME,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: APP_UID,
              runAsGroup: APP_UID,
              fsGroup: APP_UID,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            terminationGracePeriodSeconds: 30,
            topologySpreadConstraints: [
              {
                maxSkew: 1,
                topologyKey: 'topology.kubernetes.io/zone',
                whenUnsatisfiable: 'ScheduleAnyway',
                labelSelector: { matchLabels: labels },
              },
            ],
            containers: [
              {
                name: 'api',
                image: args.image,
                args: args.args,
                workingDir: args.workingDir,
                ports: [{ name: 'http', containerPort: APP_PORT, protocol: 'TCP' }],
                env: Object.entries(args.environment).map(([name, value]) => ({ name, value })),
                resources: { requests: resources, limits: resources },
                startupProbe: probe(LIVENESS_PATH, 2, 30),
                livenessProbe: probe(LIVENESS_PATH, 10, 3),
                readinessProbe: probe(READINESS_PATH, 5, 2),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  readOnlyRootFilesystem: true,
                  runAsNonRoot: true,
                  capabilities: { drop: ['ALL'] },
                },
                volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
              },
            ],
            volumes: [{ name: 'tmp', emptyDir: { sizeLimit: '512Mi' } }],
          },
        },
      },
    },
    service: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata,
      spec: {
        type: 'ClusterIP',
        selector: labels,
        ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
      },
    },
    ingress: {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: { ...metadata, annotations: ingressAnnotations(args) },
      spec: {
        ingressClassName: 'alb',
        rules: [
          {
            ...(args.https && { host: args.https.host }),
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: APP_NAME, port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    },
    autoscaler: {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata,
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: APP_NAME },
        minReplicas: args.minReplicas,
        maxReplicas: args.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: {
              name: 'cpu',
              target: { type: 'Utilization', averageUtilization: args.cpuTargetPercent },
            },
          },
        ],
      },
    },
    disruptionBudget: {
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata,
      spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
    },
  };
}

/**
 * AWS Load Balancer Controller annotations: a public ALB sending traffic straight to pod IPs (Fargate), HTTPS
 * with HTTP redirected to it when a certificate is given, access logs when a bucket is.
 */
function ingressAnnotations({
  https,
  accessLogsBucket,
  webAclArn,
  tags,
}: Pick<AppManifestArgs, 'https' | 'accessLogsBucket' | 'webAclArn' | 'tags'>): Record<string, In> {
  const tls: Record<string, In> = https
    ? {
        'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}, {"HTTPS": 443}]',
        'alb.ingress.kubernetes.io/ssl-redirect': '443',
        'alb.ingress.kubernetes.io/certificate-arn': https.certificateArn,
        'alb.ingress.kubernetes.io/ssl-policy': 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      }
    : { 'alb.ingress.kubernetes.io/listen-ports': '[{"HTTP": 80}]' };
  const attributes = ['routing.http.drop_invalid_header_fields.enabled=true'];
  return {
    'alb.ingress.kubernetes.io/scheme': 'internet-facing',
    'alb.ingress.kubernetes.io/target-type': 'ip',
    'alb.ingress.kubernetes.io/healthcheck-path': READINESS_PATH,
    'alb.ingress.kubernetes.io/load-balancer-attributes': accessLogsBucket
      ? pulumi.interpolate`${attributes.join(',')},access_logs.s3.enabled=true,access_logs.s3.bucket=${accessLogsBucket},access_logs.s3.prefix=alb/eks`
      : attributes.join(','),
    'alb.ingress.kubernetes.io/tags': Object.entries(tags)
      .map(([key, value]) => `${key}=${value}`)
      .join(','),
    ...tls,
    // https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/#wafv2-acl-arn
    ...(webAclArn && { 'alb.ingress.kubernetes.io/wafv2-acl-arn': webAclArn }),
  };
}

export interface FargateLoggingArgs {
  logGroupName: In;
  region: In;
}

/**
 * Fargate's built-in Fluent Bit ships container logs to CloudWatch when the `aws-observability` namespace
 * holds an `aws-logging` ConfigMap.
 */
export function fargateLoggingManifests(args: FargateLoggingArgs): {
  namespace: k8s.types.input.core.v1.Namespace;
  configMap: k8s.types.input.core.v1.ConfigMap;
} {
  return {
    namespace: {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'aws-observability', labels: { 'aws-observability': 'enabled' } },
    },
    configMap: {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'aws-logging', namespace: 'aws-observability' },
      data: {
        flb_log_cw: 'false',
        'output.conf': pulumi.interpolate`[OUTPUT]
    Name cloudwatch_logs
    Match *
    region ${args.region}
    log_group_name ${args.logGroupName}
    log_stream_prefix fargate-
    auto_create_group false
`,
      },
    },
  };
}
