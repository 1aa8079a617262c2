// Imported first by tracing.mjs: LangChain reads this variable when its callback manager loads.
process.env.LANGCHAIN_CALLBACKS_BACKGROUND ??= 'false';
