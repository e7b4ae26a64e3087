import { at, decideWithin, ENVIRONMENTS, statementsOf } from '@glyco/infra';
import {
  componentTypes,
  DOMAIN_LOOKUPS,
  fixtureBoundary,
  outputsMissingFromReadme,
  previewAccess,
  type RunStackOptions,
  registryHolding,
  resourcesOfType,
  runProgramWithNode,
  runStack,
  type StackRun,
  single,
  TARGET_LOOKUPS,
  TEST_IMAGE,
  TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
  targetConventionBreaches,
  waitsForAll,
} from '@glyco/infra/testing';
import { beforeAll, describe, expect, it } from 'vitest';
import { eks } from '../src/eks.ts';
import { webhooksIntercepting } from './controller-webhooks.ts';
import { schemaErrors } from './kubernetes-schema.ts';

const stackDir = new URL('..', import.meta.url).pathname;
const CERTIFICATE = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
const DOMAIN = { domainName: 'api.example.com', hostedZoneId: 'Z0123456789ABCDEFGHIJ' };
/** What a person sets on prod before its first deploy (see the committed Pulumi.prod.yaml). */
const PROD_SETTINGS = { ...DOMAIN, publicAccessCidrs: ['198.51.100.0/24'] };
const run = (
  stack: (typeof ENVIRONMENTS)[number],
  configOverrides: Record<string, unknown> = {},
  platform: RunStackOptions['platform'] = {},
  invokes: RunStackOptions['invokes'] = {},
) =>
  runStack({
    project: 'glyco-eks',
    stack,
    stackDir,
    program: eks,
    configOverrides: { org: 'acme', image: TEST_IMAGE, ...configOverrides },
    platform,
    invokes,
  });

const kubernetesObjects = (stack: StackRun) =>
  stack.resources.filter((r) => r.type.startsWith('kubernetes:') && !r.type.startsWith('kubernetes:helm.sh'));
const appContainer = (stack: StackRun) =>
  at(
    single(stack, 'kubernetes:apps/v1:Deployment').props,
    'spec',
    'template',
    'spec',
    'containers',
    0,
  ) as Record<string, unknown>;

const key = (resource: { type: string; name: string }) => `${resource.type}::${resource.name}`;
const DEPLOY_ROLE = (env: string) => `arn:aws:iam::123456789012:role/glyco-${env}-github-deploy`;
/** The access policy association of one principal. */
const accessOf = (stack: StackRun, principalArn: string) => {
  const [association, ...others] = resourcesOfType(
    stack,
    'aws:eks/accessPolicyAssociation:AccessPolicyAssociation',
  ).filter((candidate) => candidate.props.principalArn === principalArn);
  if (!association || others.length > 0) throw new Error(`expected one access policy for ${principalArn}`);
  return association;
};

describe.each(ENVIRONMENTS)('eks stack, %s', (env) => {
  let stack: StackRun;
  // Each test reads the same run, and any one of them can run alone (`vitest -t`).
  beforeAll(async () => {
    stack = await run(env, env === 'prod' ? PROD_SETTINGS : {});
  });

  it('registers its resources under its committed config (prod with the settings a person adds)', () => {
    expect(kubernetesObjects(stack).length).toBe(9);
  });

  it('creates only Kubernetes objects that the Kubernetes OpenAPI schema accepts', () => {
    for (const object of kubernetesObjects(stack))
      expect(schemaErrors(object.props), object.name).toEqual([]);
  });

  it('meets the conventions of a target: policy rules, workload boundary, a tree of components, generated names', () => {
    expect(targetConventionBreaches(stack, env)).toEqual([]);
    expect(outputsMissingFromReadme('eks', stack.outputs)).toEqual([]);
    expect(componentTypes(stack)).toEqual(
      expect.arrayContaining([
        'glyco:eks:FargateCluster',
        'glyco:eks:LoadBalancerController',
        'glyco:eks:FargateLogging',
        'glyco:eks:InferenceApp',
      ]),
    );
  });

  it('runs a Kubernetes version in standard support, and upgrades rather than paying for extended support', () => {
    // EKS release calendar: 1.34 left standard support on 2026-12-02; 1.35 (EKS release 2026-01-27) keeps it
    // until 2027-03-27. Extended support bills $0.60 per cluster-hour instead of $0.10 (EKS pricing).
    expect(single(stack, 'aws:eks/cluster:Cluster').props).toMatchObject({
      version: '1.35',
      upgradePolicy: { supportType: 'STANDARD' },
    });
  });

  it('creates no app object before the cluster admits the deploy role and Fargate logging is configured', () => {
    const namespace = resourcesOfType(stack, 'kubernetes:core/v1:Namespace').find(
      (resource) => resource.props.metadata && (resource.props.metadata as { name: string }).name === 'glyco',
    )!;
    expect(stack.dependencies.get(key(namespace))).toContain(accessOf(stack, DEPLOY_ROLE(env)).urn);
    expect(waitsForAll(stack, key(namespace), 'kubernetes:core/v1:ConfigMap')).toBe(true);
  });

  it('creates nothing a load balancer controller webhook intercepts before the controller answers', () => {
    const values = single(stack, 'kubernetes:helm.sh/v3:Release').props.values as Parameters<
      typeof webhooksIntercepting
    >[0];
    const namespaceLabels = Object.fromEntries(
      resourcesOfType(stack, 'kubernetes:core/v1:Namespace').map((resource) => {
        const metadata = resource.props.metadata as { name: string; labels?: Record<string, string> };
        return [metadata.name, metadata.labels ?? {}];
      }),
    );
    const intercepted = kubernetesObjects(stack).filter((object) => {
      const metadata = object.props.metadata as { namespace?: string; labels?: Record<string, string> };
      return (
        webhooksIntercepting(values, {
          kind: String(object.props.kind),
          labels: metadata.labels ?? {},
          namespaceLabels: namespaceLabels[metadata.namespace ?? ''] ?? {},
        }).length > 0
      );
    });
    expect(intercepted.map((object) => object.props.kind)).toEqual(['Ingress']);
    for (const object of intercepted) {
      expect(waitsForAll(stack, key(object), 'kubernetes:helm.sh/v3:Release'), object.name).toBe(true);
    }
  });

  it('names a WAF web ACL in the Ingress in prod, for the controller to associate with its load balancer', () => {
    const annotations = at(
      single(stack, 'kubernetes:networking.k8s.io/v1:Ingress').props,
      'metadata',
      'annotations',
    );
    const acl = at(annotations, 'alb.ingress.kubernetes.io/wafv2-acl-arn');
    if (env === 'prod') {
      // The mocks give an ARN from the ACL's name: the annotation names this stack's ACL.
      expect(acl).toBe(
        `arn:aws:wafv2:eu-west-1:123456789012:${single(stack, 'aws:wafv2/webAcl:WebAcl').props.name}`,
      );
    } else {
      expect(acl).toBeUndefined();
    }
  });

  it(`writes the Ingress's load balancer access logs to the platform's bucket in prod only`, () => {
    const attributes = String(
      at(
        single(stack, 'kubernetes:networking.k8s.io/v1:Ingress').props,
        'metadata',
        'annotations',
        'alb.ingress.kubernetes.io/load-balancer-attributes',
      ),
    ).split(',');
    expect(attributes).toContain('routing.http.drop_invalid_header_fields.enabled=true');
    if (env === 'prod') {
      expect(attributes).toEqual(
        expect.arrayContaining([
          'access_logs.s3.enabled=true',
          'access_logs.s3.bucket=glyco-prod-access-logs-123456789012',
          'access_logs.s3.prefix=alb/eks',
        ]),
      );
    } else {
      expect(attributes.some((attribute) => attribute.startsWith('access_logs'))).toBe(false);
    }
  });

  it('encrypts secrets, logs the control plane and limits the API endpoint per config', () => {
    const cluster = single(stack, 'aws:eks/cluster:Cluster').props;
    expect(at(cluster, 'encryptionConfig', 'resources')).toEqual(['secrets']);
    expect(cluster.enabledClusterLogTypes).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    expect(cluster.vpcConfig).toMatchObject({
      subnetIds: ['subnet-private-a', 'subnet-private-b'],
      endpointPrivateAccess: true,
      endpointPublicAccess: true,
      publicAccessCidrs: env === 'prod' ? ['198.51.100.0/24'] : ['0.0.0.0/0'],
    });
  });

  it('lets the cluster role use its own secrets key, and no other key, inside the workload boundary', () => {
    // EKS calls KMS on this key as the cluster role (CloudTrail shows the cluster role's sessions, invokedBy
    // eks.amazonaws.com: terraform-aws-modules/terraform-aws-eks#1913, #2371), and the key keeps KMS's default
    // key policy, which lets IAM policies of the account grant its use and grants nothing to anyone else (AWS
    // KMS developer guide, "Default key policy"; "Key policies": no principal may use a key unless a key
    // policy, IAM policy or grant allows it). terraform-aws-eks grants the cluster role these four actions
    // (main.tf, aws_iam_policy.cluster_encryption).
    const key = single(stack, 'aws:kms/key:Key', 'eks-secrets');
    expect(key.props.policy).toBeUndefined();
    const keyArn = `arn:aws:kms:eu-west-1:123456789012:key/${key.name}`;
    const context = { 'aws:ResourceTag/project': 'glyco', 'aws:ResourceTag/environment': env };
    const clusterRole = single(stack, 'aws:iam/role:Role', 'eks-cluster');
    const inlinePolicies = resourcesOfType(stack, 'aws:iam/rolePolicy:RolePolicy')
      .filter((policy) => [clusterRole.name, `${clusterRole.name}-id`].includes(String(policy.props.role)))
      .map((policy) => ({ Statement: statementsOf(policy.props.policy) }));
    const asClusterRole = (action: string, resource: string) =>
      decideWithin(inlinePolicies, fixtureBoundary(env).policy, { action, resource, context });
    for (const action of ['kms:Encrypt', 'kms:Decrypt', 'kms:ListGrants', 'kms:DescribeKey']) {
      expect(asClusterRole(action, keyArn), action).toBe('allowed');
    }
    expect(asClusterRole('kms:Decrypt', 'arn:aws:kms:eu-west-1:123456789012:key/another')).not.toBe(
      'allowed',
    );
    expect(asClusterRole('kms:ScheduleKeyDeletion', keyArn)).not.toBe('allowed');
  });

  it('protects the secrets key in prod: deleting it would leave the cluster unrecoverable', () => {
    // EKS user guide, "Default envelope encryption for all Kubernetes API Data": deleting the customer managed
    // key "will degrade its health beyond recovery".
    expect(single(stack, 'aws:kms/key:Key', 'eks-secrets').protect).toBe(env === 'prod');
  });

  it('gives cluster access to the platform deploy role, whoever created the cluster', () => {
    expect(at(single(stack, 'aws:eks/cluster:Cluster').props, 'accessConfig')).toEqual({
      authenticationMode: 'API',
      bootstrapClusterCreatorAdminPermissions: false,
    });
    expect(accessOf(stack, DEPLOY_ROLE(env)).props).toMatchObject({
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy',
      accessScope: { type: 'cluster' },
    });
  });

  it("lets the platform's read-only preview role view the cluster, so a pull request's preview reads it", () => {
    // pulumi-kubernetes previews against the API server: it reads the server's version and OpenAPI schema when
    // the provider starts (else it marks the cluster unreachable) and dry-runs each object, falling back to the
    // inputs alone when the dry run is Forbidden (pulumi/pulumi-kubernetes provider/pkg/provider/provider.go,
    // Configure, Create and Update with req.GetPreview()). An IAM principal without an access entry is not
    // authenticated at all; AmazonEKSViewPolicy reads most objects, Secrets excepted (EKS user guide,
    // "Review access policy permissions").
    const preview = `arn:aws:iam::123456789012:role/glyco-${env}-github-preview`;
    expect(single(stack, 'aws:eks/accessEntry:AccessEntry', 'eks-preview').props).toMatchObject({
      principalArn: preview,
      type: 'STANDARD',
    });
    expect(accessOf(stack, preview).props).toMatchObject({
      policyArn: 'arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy',
      accessScope: { type: 'cluster' },
    });
  });

  it('runs kube-system and the app namespace on Fargate, CoreDNS included', () => {
    const profiles = resourcesOfType(stack, 'aws:eks/fargateProfile:FargateProfile');
    expect(profiles.map((p) => p.props.selectors)).toEqual([
      [{ namespace: 'kube-system' }],
      [{ namespace: 'glyco' }],
    ]);
    const coreDns = single(stack, 'aws:eks/addon:Addon', 'coredns').props;
    expect(JSON.parse(String(coreDns.configurationValues))).toEqual({ computeType: 'Fargate' });
  });

  it('installs the AWS Load Balancer Controller with its region, VPC and IRSA role', () => {
    const release = single(stack, 'kubernetes:helm.sh/v3:Release').props;
    expect(release).toMatchObject({
      chart: 'aws-load-balancer-controller',
      version: '1.13.0',
      namespace: 'kube-system',
      values: {
        clusterName: `glyco-${env}-eks`,
        region: 'eu-west-1',
        vpcId: 'vpc-0a1b2c3d4e5f60718',
        serviceAccount: { name: 'aws-load-balancer-controller' },
        // The app has no Service of type LoadBalancer for it to take over.
        enableServiceMutatorWebhook: false,
      },
    });
    const trust = statementsOf(
      single(stack, 'aws:iam/role:Role', 'eks-lb-controller').props.assumeRolePolicy,
    );
    expect(trust[0]?.Condition?.StringEquals).toMatchObject({
      'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub':
        'system:serviceaccount:kube-system:aws-load-balancer-controller',
    });
  });

  it('binds the app service account to a role that reads only the model prefix, the database and API keys secrets', () => {
    const account = single(stack, 'kubernetes:core/v1:ServiceAccount').props;
    expect(at(account, 'metadata', 'annotations', 'eks.amazonaws.com/role-arn')).toMatch(/glyco-.*-eks-app/);
    const trust = statementsOf(single(stack, 'aws:iam/role:Role', 'eks-app').props.assumeRolePolicy);
    expect(trust[0]?.Condition?.StringEquals).toMatchObject({
      'oidc.eks.eu-west-1.amazonaws.com/id/ABCDEF0123456789:sub': 'system:serviceaccount:glyco:glyco-api',
    });
    const access = statementsOf(
      single(stack, 'aws:iam/rolePolicy:RolePolicy', 'eks-app-app-access').props.policy,
    );
    expect(access.map((s) => s.Action)).toEqual([
      's3:ListBucket',
      's3:GetObject',
      'secretsmanager:GetSecretValue',
      'secretsmanager:GetSecretValue',
      'kms:Decrypt',
    ]);
    expect(appContainer(stack).env).toContainEqual({
      name: 'API_KEYS_SECRET_ARN',
      value: `arn:aws:secretsmanager:eu-west-1:123456789012:secret:glyco-${env}-api-keys-AbCdEf`,
    });
    expect(appContainer(stack).env).toContainEqual({
      name: 'MODEL_SIGNING_PUBLIC_KEY',
      value: TEST_MODEL_SIGNING_PUBLIC_KEY_PEM,
    });
  });

  it('probes /health and /ready and runs the server non-root on a read-only root filesystem', () => {
    const container = appContainer(stack);
    expect(container).toMatchObject({
      image: TEST_IMAGE,
      args: ['node', 'dist/server.mjs'],
      workingDir: '/app',
      livenessProbe: { httpGet: { path: '/health', port: 'http' } },
      readinessProbe: { httpGet: { path: '/ready', port: 'http' } },
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, runAsNonRoot: true },
      resources: { limits: { cpu: env === 'prod' ? '1' : '500m', memory: env === 'prod' ? '2Gi' : '1Gi' } },
    });
    const variables = Object.fromEntries(
      (container.env as { name: string; value: string }[]).map((v) => [v.name, v.value]),
    );
    expect(variables).toMatchObject({
      PORT: '8080',
      DATABASE_HOST: `glyco-${env}-db.abcdefghijkl.eu-west-1.rds.amazonaws.com`,
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'glyco',
    });
  });

  it('gives the read-only container writable scratch space only through emptyDir volumes', () => {
    // The kubelet makes an emptyDir world-writable (0777: kubernetes/kubernetes pkg/volume/emptydir/empty_dir.go,
    // `perm`), whatever the image holds at that path; a hostPath or an image VOLUME would not be.
    const pod = at(single(stack, 'kubernetes:apps/v1:Deployment').props, 'spec', 'template', 'spec') as {
      volumes: { name: string; emptyDir?: object }[];
      containers: { volumeMounts?: { name: string; mountPath: string }[] }[];
    };
    const scratch = new Set(pod.volumes.filter((volume) => volume.emptyDir).map((volume) => volume.name));
    const mounts = pod.containers.flatMap((container) => container.volumeMounts ?? []);
    expect(mounts.map((mount) => mount.mountPath)).toContain('/tmp');
    for (const mount of mounts) expect(scratch.has(mount.name), mount.mountPath).toBe(true);
  });

  it('exposes the app through an internet-facing ALB that targets pod IPs and checks /ready', () => {
    const annotations = at(
      single(stack, 'kubernetes:networking.k8s.io/v1:Ingress').props,
      'metadata',
      'annotations',
    );
    expect(annotations).toMatchObject({
      'alb.ingress.kubernetes.io/scheme': 'internet-facing',
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/healthcheck-path': '/ready',
      'alb.ingress.kubernetes.io/tags': `project=glyco,environment=${env},managed-by=pulumi`,
    });
    expect(Boolean(at(annotations, 'alb.ingress.kubernetes.io/certificate-arn'))).toBe(env === 'prod');
  });

  it(
    env === 'prod'
      ? 'serves https://<domainName>'
      : 'serves plain HTTP on the load balancer name in dev, and says so',
    () => {
      if (env === 'prod') {
        expect(stack.outputs.url).toBe('https://api.example.com');
      } else {
        expect(stack.outputs.url).toMatch(/^http:\/\/k8s-glyco-.*\.elb\.amazonaws\.com$/);
        expect(String(stack.outputs.tls)).toMatch(/plain HTTP.*domainName/);
      }
    },
  );

  it('scales on CPU between the configured bounds and keeps all but one pod through disruptions', () => {
    expect(single(stack, 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler').props).toMatchObject({
      spec: { minReplicas: env === 'prod' ? 2 : 1, maxReplicas: env === 'prod' ? 10 : 2 },
    });
    expect(
      at(single(stack, 'kubernetes:policy/v1:PodDisruptionBudget').props, 'spec', 'maxUnavailable'),
    ).toBe(1);
  });

  it('admits the pods to PostgreSQL through the cluster security group', () => {
    expect(
      single(stack, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'db-from-eks-pods').props,
    ).toMatchObject({
      securityGroupId: 'sg-database',
      referencedSecurityGroupId: 'sg-eks-cluster',
      fromPort: 5432,
    });
  });

  it('ships container logs to a log group with retention', () => {
    const output = String(at(single(stack, 'kubernetes:core/v1:ConfigMap').props, 'data', 'output.conf'));
    expect(output).toContain(`log_group_name /aws/eks/glyco-${env}-eks/app`);
    expect(stack.outputs.logGroup).toBe(`/aws/eks/glyco-${env}-eks/app`);
  });
});

describe("eks and the platform's CodeBuild deploy runner", () => {
  const ingressRules = (stack: StackRun) =>
    resourcesOfType(stack, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule').map(
      (rule) => rule.props,
    );

  it('admits the runner to the cluster API on 443, so a prod deploy from inside the VPC reaches a private endpoint', async () => {
    // EKS user guide, "Cluster API server endpoint", "Accessing a private only API server": the control plane
    // security group must allow ingress on 443 from whatever runs kubectl inside the VPC. The cluster security
    // group is the one EKS attaches to the control plane's network interfaces ("Security group requirements").
    const stack = await run(
      'prod',
      { ...PROD_SETTINGS, endpointPublicAccess: false },
      { deployRunnerSecurityGroupId: 'sg-deploy-runner' },
    );
    expect(ingressRules(stack)).toContainEqual(
      expect.objectContaining({
        securityGroupId: 'sg-eks-cluster',
        referencedSecurityGroupId: 'sg-deploy-runner',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
      }),
    );
    // Nothing goes into the cluster before the runner can reach it: the Helm release and both namespaces (which
    // every other object waits for) wait for the rule.
    const rule = single(stack, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', 'deploy-runner');
    const roots = [
      single(stack, 'kubernetes:helm.sh/v3:Release'),
      ...resourcesOfType(stack, 'kubernetes:core/v1:Namespace'),
    ];
    for (const root of roots) {
      expect(stack.dependencies.get(key(root)), root.name).toContain(rule.urn);
    }
  });

  it('admits nothing new when the platform has no runner', async () => {
    const stack = await run('prod', PROD_SETTINGS);
    expect(ingressRules(stack).map((rule) => rule.referencedSecurityGroupId)).toEqual(['sg-eks-cluster']);
  });
});

describe('eks with a domain', () => {
  let stack: StackRun;
  beforeAll(async () => {
    stack = await run('prod', PROD_SETTINGS);
  });

  it("serves the Ingress's ALB with the domain's validated certificate, for that host only", () => {
    const ingress = single(stack, 'kubernetes:networking.k8s.io/v1:Ingress').props;
    expect(at(ingress, 'metadata', 'annotations', 'alb.ingress.kubernetes.io/certificate-arn')).toMatch(
      /^arn:aws:acm:eu-west-1:123456789012:certificate\//,
    );
    expect(at(ingress, 'spec', 'rules', 0, 'host')).toBe('api.example.com');
    expect(single(stack, 'aws:acm/certificate:Certificate').props).toMatchObject({
      domainName: 'api.example.com',
      validationMethod: 'DNS',
    });
  });

  it("points the name at the ALB the controller made, from the Ingress's address and the regional ALB zone", () => {
    const alias = resourcesOfType(stack, 'aws:route53/record:Record').find(
      (record) => record.props.type === 'A',
    );
    expect(alias?.props).toMatchObject({
      zoneId: 'Z0123456789ABCDEFGHIJ',
      name: 'api.example.com',
      aliases: [
        {
          name: 'k8s-glyco-glycoapi-0123456789-1234567890.eu-west-1.elb.amazonaws.com',
          zoneId: 'Z32O12XQLNTSW2',
          evaluateTargetHealth: true,
        },
      ],
    });
  });

  it('uses a given certificate instead of making one', async () => {
    const given = await run('prod', { ...PROD_SETTINGS, certificateArn: CERTIFICATE });
    expect(resourcesOfType(given, 'aws:acm/certificate:Certificate')).toEqual([]);
    expect(
      at(
        single(given, 'kubernetes:networking.k8s.io/v1:Ingress').props,
        'metadata',
        'annotations',
        'alb.ingress.kubernetes.io/certificate-arn',
      ),
    ).toBe(CERTIFICATE);
  });
});

/** The account's clusters as EKS lists and describes them: each environment's exists and runs `version`. */
const clusterRunning = (version: string) => ({
  'aws:eks/getClusters:getClusters': () => ({
    id: 'eu-west-1',
    names: ['other-team', 'glyco-dev-eks', 'glyco-prod-eks'],
  }),
  'aws:eks/getCluster:getCluster': (inputs: Record<string, unknown>) => ({ name: inputs.name, version }),
});

describe('eks against the Kubernetes version the cluster runs', () => {
  it('refuses, before anything changes, the 1.35 it was deployed with once EKS has upgraded the cluster to 1.36, and says what to set', async () => {
    // Under the STANDARD upgrade policy EKS upgrades a cluster whose version leaves standard support (1.35:
    // 2027-03-27), and it cannot downgrade one: asking for 1.35 again would fail halfway through a deploy.
    await expect(run('dev', {}, {}, clusterRunning('1.36'))).rejects.toThrow(
      /Config "kubernetesVersion" \(1\.35\) is older than the 1\.36 that cluster glyco-dev-eks runs.*cannot downgrade.*Set "kubernetesVersion" to "1\.36"/s,
    );
  });

  it('deploys the version the cluster runs, or the next one', async () => {
    for (const running of ['1.35', '1.34']) {
      const stack = await run('dev', {}, {}, clusterRunning(running));
      expect(single(stack, 'aws:eks/cluster:Cluster').props.version, `on ${running}`).toBe('1.35');
    }
  });

  it('refuses to skip a minor version, which EKS cannot do in one upgrade', async () => {
    await expect(run('dev', { kubernetesVersion: '1.37' }, {}, clusterRunning('1.35'))).rejects.toThrow(
      /"kubernetesVersion" \(1\.37\) is more than one minor version ahead of the 1\.35.*set it to "1\.36" first/s,
    );
  });

  it('looks the cluster up by its name, and creates a new one at the configured version', async () => {
    const stack = await run('dev');
    expect(stack.invokes.map((invoke) => invoke.token)).toContain('aws:eks/getClusters:getClusters');
    expect(stack.invokes.map((invoke) => invoke.token)).not.toContain('aws:eks/getCluster:getCluster');
    expect(single(stack, 'aws:eks/cluster:Cluster').props.version).toBe('1.35');
  });
});

describe('eks previewed by a pull request, with the read-only preview role', () => {
  it('makes only AWS lookups ReadOnlyAccess allows and the role does not forbid: the image, the model, the cluster, the zone', async () => {
    // The ALB's hosted zone comes from a table in the provider; the Kubernetes API is read through the role's
    // access entry (see "lets the platform's read-only preview role view the cluster"), with no IAM action.
    const stack = await runStack({
      project: 'glyco-eks',
      stack: 'prod',
      stackDir,
      program: eks,
      configOverrides: PROD_SETTINGS,
      invokes: clusterRunning('1.35'),
    });
    expect(previewAccess(stack)).toEqual({
      actions: [...TARGET_LOOKUPS, 'eks:ListClusters', 'eks:DescribeCluster', ...DOMAIN_LOOKUPS],
      refusals: [],
    });
  });
});

describe('eks with nothing but its committed config (a bare `pulumi up`)', () => {
  it("reads its own organization's platform and runs the newest image by digest", async () => {
    const stack = await runStack({ project: 'glyco-eks', stack: 'dev', stackDir, program: eks });
    expect(single(stack, 'pulumi:pulumi:StackReference').props.name).toBe('glyco-test/glyco-platform/dev');
    expect(appContainer(stack).image).toBe(
      `123456789012.dkr.ecr.eu-west-1.amazonaws.com/glyco-dev-app@sha256:${'cd'.repeat(32)}`,
    );
  });

  it.each(ENVIRONMENTS)(
    'loads index.ts under plain Node, as the Pulumi CLI does, in %s',
    async (env) => {
      const load = await runProgramWithNode({
        stackDir,
        project: 'glyco-eks',
        stack: env,
        configOverrides: env === 'prod' ? PROD_SETTINGS : {},
      });
      expect(load.stderr).not.toMatch(/Error/);
      expect(load.status).toBe(0);
      expect(load.run?.resourceCount).toBeGreaterThan(30);
    },
    70_000,
  );
});

describe('eks config', () => {
  it('refuses, before creating anything, a model the registry does not hold (a new environment), saying how to put it there', async () => {
    // The pods would exit at startup and `pulumi up` would wait for a ready Deployment until its timeout.
    await expect(run('dev', {}, {}, registryHolding([]))).rejects.toThrow(
      /Config "model" \(pima-diabetes@production\): the registry s3:\/\/glyco-dev-models-123456789012\/models has no alias "production".*pnpm glyco promote/s,
    );
  });

  it('refuses to deploy prod without a domain, naming the key, before making anything', async () => {
    await expect(run('prod', { publicAccessCidrs: ['198.51.100.0/24'] })).rejects.toThrow(
      /Config "domainName" is required: .*prod/,
    );
  });

  it('refuses a prod cluster API open to the whole internet', async () => {
    await expect(run('prod', DOMAIN)).rejects.toThrow(/publicAccessCidrs.*not 0\.0\.0\.0\/0/);
  });

  it('admits the configured administrators too', async () => {
    const admin = 'arn:aws:iam::123456789012:role/platform-admins';
    const stack = await run('dev', { clusterAdminArns: [admin] });
    const administrators = resourcesOfType(stack, 'aws:eks/accessPolicyAssociation:AccessPolicyAssociation')
      .filter((association) => String(association.props.policyArn).endsWith('/AmazonEKSClusterAdminPolicy'))
      .map((association) => association.props.principalArn);
    expect(administrators.sort()).toEqual([DEPLOY_ROLE('dev'), admin].sort());
  });

  it('grants no preview access when the platform exports no preview role (a platform from before it had one)', async () => {
    const stack = await run('dev', {}, { previewRoleArn: undefined });
    expect(
      resourcesOfType(stack, 'aws:eks/accessEntry:AccessEntry').map((entry) => entry.props.principalArn),
    ).toEqual([DEPLOY_ROLE('dev')]);
  });

  it('refuses an administrator that is not an IAM role ARN', async () => {
    await expect(run('dev', { clusterAdminArns: ['alice'] })).rejects.toThrow(/clusterAdminArns/);
  });

  it('refuses a malformed CIDR', async () => {
    await expect(run('dev', { publicAccessCidrs: ['10.0.0.0'] })).rejects.toThrow(/publicAccessCidrs/);
  });
});

describe('kubernetes schema check', () => {
  it('rejects an object the API server would reject', () => {
    const errors = schemaErrors({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'x' },
      spec: {
        selector: {},
        template: { spec: { containers: [{ image: 'x', ports: [{ containerPort: '8080' }] }] } },
      },
    });
    expect(errors.join('\n')).toMatch(/containers\/0.*name/);
    expect(errors.join('\n')).toMatch(/containerPort/);
  });
});
