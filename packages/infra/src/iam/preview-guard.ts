import { type PolicyDocument, policyDocument } from './documents.ts';

/**
 * What the pull-request preview role may never do on top of AWS-managed ReadOnlyAccess: read data. A preview
 * needs the stacks' lookups (zones, the OIDC provider, ECR images, Lambda account settings…), which are reads of
 * configuration; ReadOnlyAccess also reads objects, parameters and log events, which a pull request's code has
 * no business seeing (model objects, database logs with statements, the app's logs). The platform attaches it;
 * every stack's tests check that their preview's lookups get past it (`previewRoleRefusals`).
 */
export function previewGuardPolicy(): PolicyDocument {
  return policyDocument([
    {
      Sid: 'NeverReadData',
      Effect: 'Deny',
      Action: [
        's3:GetObject*',
        'secretsmanager:GetSecretValue',
        'kms:Decrypt',
        'ssm:GetParameter*',
        'logs:GetLogEvents',
        'logs:FilterLogEvents',
        'logs:StartQuery',
        'logs:GetQueryResults',
        'logs:StartLiveTail',
        'rds:DownloadDBLogFilePortion',
        'rds:DownloadCompleteDBLogFile',
        'dynamodb:GetItem',
        'dynamodb:BatchGetItem',
        'dynamodb:Query',
        'dynamodb:Scan',
      ],
      Resource: '*',
    },
  ]);
}
