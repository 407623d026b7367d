export const handler = async (event, context) => {
  // Invoked directly ({"name": ...}) or through the HTTP API (GET /hello?name=...).
  const name = (event && (event.name || (event.queryStringParameters || {}).name)) || 'world';
  console.log('node handler called with', JSON.stringify(event));
  return {
    message: `${process.env.GREETING} from Node.js, ${name}!`,
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
