// `node check-config.ts <env>`: this stack's committed Pulumi.<env>.yaml, read as the program reads it, without the
// cloud. The deploy pipeline runs it before it changes anything (scripts/deploy-environment.sh).
import { checkConfigCli } from '@glyco/infra/target';
import { readJobsSettings } from './src/settings.ts';

checkConfigCli(import.meta.dirname, readJobsSettings);
