// The admission webhooks that the AWS Load Balancer Controller's Helm chart registers, as data: chart 1.13.0,
// controller v2.13.0, kubernetes-sigs/aws-load-balancer-controller@v2.13.0
// helm/aws-load-balancer-controller/templates/webhook.yaml. Each has failurePolicy Fail: until the controller's
// pods answer, the API server refuses every object the webhook intercepts.

/** A Kubernetes object as the stack creates it, and the labels of the namespace it goes into. */
export interface AdmittedObject {
  kind: string;
  labels: Record<string, string>;
  namespaceLabels: Record<string, string>;
}

interface ChartValues {
  enableServiceMutatorWebhook?: boolean;
  webhookConfig?: { disableIngressValidation?: boolean };
}

const CONTROLLER_NAME = 'aws-load-balancer-controller';

/** The names of the webhooks that intercept the creation of `object` (for a Deployment: of its pods). */
export function webhooksIntercepting(values: ChartValues, object: AdmittedObject): string[] {
  const notTheController = object.labels['app.kubernetes.io/name'] !== CONTROLLER_NAME;
  const intercepts: [boolean, string][] = [
    [
      // Pods, in namespaces labelled for readiness-gate injection.
      object.kind === 'Deployment' &&
        object.namespaceLabels['elbv2.k8s.aws/pod-readiness-gate-inject'] === 'enabled' &&
        notTheController,
      'mpod.elbv2.k8s.aws',
    ],
    [
      // Every Service but the controller's own, on CREATE, unless the value turns it off (default true).
      object.kind === 'Service' && values.enableServiceMutatorWebhook !== false && notTheController,
      'mservice.elbv2.k8s.aws',
    ],
    [
      object.kind === 'Ingress' && values.webhookConfig?.disableIngressValidation !== true,
      'vingress.elbv2.k8s.aws',
    ],
  ];
  return intercepts.filter(([applies]) => applies).map(([, name]) => name);
}
