import { lambda } from './src/lambda.ts';

// Pulumi calls the default export and publishes what it returns as the stack outputs.
export default lambda;
