export const handler = async (event, context) => {
  const name = (event && event.name) || 'world';
  console.log('node handler called with', JSON.stringify(event));
  return {
    message: `${process.env.GREETING} from Node.js, ${name}!`,
    requestId: context.awsRequestId,
    remainingMs: context.getRemainingTimeInMillis(),
  };
};
