import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import type { Tags } from '../naming.ts';

/** The public DNS name a target serves HTTPS on, and the Route 53 zone it lives in. */
export interface PublicDomainSettings {
  /** e.g. `api.example.com`. */
  domainName: string;
  /** The public hosted zone holding it: its id, or its name to look it up by. */
  hostedZone: { id: string } | { name: string };
  /** An ACM certificate (same region) that covers `domainName`, instead of one the stack makes. */
  certificateArn: string | undefined;
}

/** Why prod behind a load balancer needs a domain (`readPublicDomain`'s `required`). */
export const LOAD_BALANCER_NAME_HAS_NO_CERTIFICATE =
  "prod serves HTTPS, and no certificate can cover a load balancer's own *.elb.amazonaws.com name";

/** The `tls` output of a dev target without a domain: what it serves, and how to get HTTPS. */
export const plainHttpNotice =
  'none: plain HTTP on the load balancer name, because no domainName is set; set domainName and ' +
  'hostedZoneId for HTTPS (prod requires them)';

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const ZONE_ID = /^Z[A-Z0-9]{1,31}$/;
const CERTIFICATE = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;

/**
 * The keys `domainName`, `hostedZoneId` or `hostedZoneName`, and `certificateArn`; undefined when no domain is
 * set. `required` says why a stack cannot do without one (then its absence is an error naming the key).
 */
export function readPublicDomain(
  config: pulumi.Config,
  options: { required?: string } = {},
): PublicDomainSettings | undefined {
  const domainName = config.get('domainName');
  const zoneId = config.get('hostedZoneId');
  const zoneName = config.get('hostedZoneName');
  const certificateArn = config.get('certificateArn');
  if (domainName === undefined) {
    if (options.required) {
      throw new Error(
        `Config "domainName" is required: ${options.required}. Set "domainName" (e.g. api.example.com) and ` +
          '"hostedZoneId" (or "hostedZoneName"), the public Route 53 zone that holds it; the stack makes and ' +
          'validates the certificate (README, "Deploy to AWS").',
      );
    }
    const stray = [
      zoneId && 'hostedZoneId',
      zoneName && 'hostedZoneName',
      certificateArn && 'certificateArn',
    ];
    const set = stray.filter(Boolean);
    if (set.length > 0) {
      throw new Error(
        `Config ${set.map((key) => `"${key}"`).join(', ')} needs "domainName": a certificate must name the ` +
          'host clients call, and the stack serves the load balancer or API on that name.',
      );
    }
    return undefined;
  }
  if (!DOMAIN.test(domainName)) {
    throw new Error(
      `Config "domainName" must be a lower-case DNS name such as api.example.com; got "${domainName}".`,
    );
  }
  if ((zoneId === undefined) === (zoneName === undefined)) {
    throw new Error(
      'Config "domainName" needs exactly one of "hostedZoneId" (e.g. Z0123456789ABCDEFGHIJ) or "hostedZoneName" ' +
        '(e.g. example.com): the public Route 53 zone where the stack writes its DNS records.',
    );
  }
  if (zoneId !== undefined && !ZONE_ID.test(zoneId)) {
    throw new Error(
      `Config "hostedZoneId" must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ; got "${zoneId}".`,
    );
  }
  if (zoneName !== undefined && !withinZone(domainName, zoneName)) {
    throw new Error(`Config "domainName" (${domainName}) must be inside "hostedZoneName" (${zoneName}).`);
  }
  if (certificateArn !== undefined && !CERTIFICATE.test(certificateArn)) {
    throw new Error(`Config "certificateArn" must be an ACM certificate ARN; got "${certificateArn}".`);
  }
  return {
    domainName,
    hostedZone: zoneId !== undefined ? { id: zoneId } : { name: zoneName! },
    certificateArn,
  };
}

/** What an alias record points at: a load balancer's or an API Gateway domain's DNS name and hosted zone. */
export interface AliasTarget {
  dnsName: pulumi.Input<string>;
  zoneId: pulumi.Input<string>;
}

/**
 * The stack's public name with its hosted zone looked up (by id or by name) and checked to hold it, before
 * anything is created; undefined without a domain.
 */
export async function publicDomain(
  name: string,
  settings: PublicDomainSettings | undefined,
  tags: Tags,
): Promise<PublicDomain | undefined> {
  if (!settings) return undefined;
  const { hostedZone, domainName } = settings;
  const key =
    'id' in hostedZone ? `"hostedZoneId" (${hostedZone.id})` : `"hostedZoneName" (${hostedZone.name})`;
  const zone = await aws.route53
    .getZone('id' in hostedZone ? { zoneId: hostedZone.id } : { name: hostedZone.name, privateZone: false })
    .catch((error: Error) => {
      throw new Error(`Config ${key}: no such public hosted zone here (${error.message.split('\n')[0]}).`);
    });
  if (zone.privateZone) {
    throw new Error(
      `Config ${key} names a private hosted zone: clients and ACM resolve names in a public one.`,
    );
  }
  if (!withinZone(domainName, zone.name)) {
    throw new Error(
      `Config "domainName" (${domainName}) is not inside hosted zone ${zone.name}, named by ${key}.`,
    );
  }
  return new PublicDomain(name, {
    domainName,
    zoneId: zone.zoneId,
    certificateArn: settings.certificateArn,
    tags,
  });
}

export interface PublicDomainArgs {
  domainName: string;
  /** The public hosted zone that holds the name. */
  zoneId: string;
  /** A certificate covering the name, instead of one made here. */
  certificateArn: string | undefined;
  tags: Tags;
}

/**
 * A public HTTPS name: the certificate for it (made by ACM and validated through a DNS record in the zone,
 * unless one is given) and, once the target is known, the alias record that sends the name to it.
 * https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html
 */
export class PublicDomain extends pulumi.ComponentResource {
  readonly domainName: string;
  /** `https://<domainName>`. */
  readonly url: string;
  /** The certificate, once ACM has issued it (the listener or API domain that uses it waits for that). */
  readonly certificateArn: pulumi.Output<string>;
  readonly #zoneId: string;
  readonly #name: string;

  constructor(name: string, args: PublicDomainArgs, opts?: pulumi.ComponentResourceOptions) {
    super('glyco:target:PublicDomain', name, {}, opts);
    this.#name = name;
    this.#zoneId = args.zoneId;
    this.domainName = args.domainName;
    this.url = `https://${args.domainName}`;
    this.certificateArn = args.certificateArn
      ? pulumi.output(args.certificateArn)
      : this.#validatedCertificate(args.domainName, args.tags);
    this.registerOutputs({ url: this.url, certificateArn: this.certificateArn });
  }

  /** The record that sends the name to `target`; ALB and API Gateway answer as the alias's hosted zone says. */
  pointAt(target: AliasTarget): aws.route53.Record {
    return new aws.route53.Record(
      `${this.#name}-alias`,
      {
        zoneId: this.#zoneId,
        name: this.domainName,
        type: 'A',
        aliases: [{ name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: true }],
      },
      { parent: this },
    );
  }

  #validatedCertificate(domainName: string, tags: Tags): pulumi.Output<string> {
    const parent = { parent: this };
    const certificate = new aws.acm.Certificate(
      this.#name,
      { domainName, validationMethod: 'DNS', tags },
      parent,
    );
    // One name, so ACM asks for one CNAME; the same name keeps the same CNAME across certificates, hence overwrite.
    const challenge = certificate.domainValidationOptions.apply((options) => {
      const option = options.find((candidate) => candidate.domainName === domainName);
      if (!option) throw new Error(`ACM gave no DNS validation record for ${domainName}.`);
      return option;
    });
    const record = new aws.route53.Record(
      `${this.#name}-validation`,
      {
        zoneId: this.#zoneId,
        name: challenge.resourceRecordName,
        type: challenge.resourceRecordType,
        records: [challenge.resourceRecordValue],
        ttl: 300,
        allowOverwrite: true,
      },
      parent,
    );
    const validation = new aws.acm.CertificateValidation(
      this.#name,
      { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
      parent,
    );
    return validation.certificateArn;
  }
}

function withinZone(domainName: string, zoneName: string): boolean {
  const zone = zoneName.replace(/\.$/, '');
  return domainName === zone || domainName.endsWith(`.${zone}`);
}
