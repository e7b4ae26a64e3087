/** The port of the platform's PostgreSQL (instance and proxy), which target stacks open their security rules to. */
export const DATABASE_PORT = 5432;
