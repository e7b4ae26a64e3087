import { jobs } from './src/jobs.ts';

// Pulumi calls the default export and publishes what it returns as the stack outputs.
export default jobs;
