declare module 'swagger-ui-dist/absolute-path.js' {
  /** The directory holding Swagger UI's built files. */
  export default function getAbsoluteFSPath(): string;
}
