import { eks } from './src/eks.ts';

// Pulumi calls the default export and publishes what it returns as the stack outputs.
export default eks;
