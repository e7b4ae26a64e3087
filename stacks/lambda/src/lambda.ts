import { stackContext, workloadEnvironment } from '@glyco/infra';
import { prepareTarget, publicDomain, requireRegisteredModel } from '@glyco/infra/target';
import { FunctionAlarms } from './alarms.ts';
import { requireConcurrencyFits } from './concurrency.ts';
import { FUNCTION_ALIAS, InferenceFunction } from './function.ts';
import { HttpApi } from './http-api.ts';
import { readLambdaSettings } from './settings.ts';

/** The inference app as a container-image Lambda function behind a throttled API Gateway HTTP API. */
export async function lambda() {
  const context = stackContext();
  const { env, name, tags } = context;
  const { platform, config } = await prepareTarget(context);
  const settings = readLambdaSettings(config);
  await requireRegisteredModel(platform, settings.model);
  const functionName = name('api');
  await requireConcurrencyFits(settings, { functionName, alias: FUNCTION_ALIAS });
  const customDomain = await publicDomain(name('domain'), settings.domain, tags);

  const environment = workloadEnvironment(platform, settings, platform.databaseProxyEndpoint);
  const fn = new InferenceFunction(name('function'), {
    functionName,
    description: `Glyco inference API (${env})`,
    tags,
    platform,
    settings,
    environment,
  });
  const api = new HttpApi(name('api-gateway'), {
    apiName: name('http-api'),
    tags,
    alias: fn.alias,
    settings,
    customDomain,
  });
  new FunctionAlarms(name('alarms'), { name, tags, functionName: fn.functionName, settings });

  return {
    url: api.url,
    functionName: fn.functionName,
    image: settings.image.uri,
    model: settings.model,
    modelUri: environment.apply((variables) => variables.MODEL_URI),
    logGroup: fn.logGroupName,
    apiAccessLogGroup: api.accessLogGroup,
    databaseEndpoint: platform.databaseProxyEndpoint,
  };
}
