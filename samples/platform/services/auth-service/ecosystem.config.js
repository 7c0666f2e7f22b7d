// PM2 process file of auth-service
module.exports = {
  apps: [
    {
      name: 'auth-service',
      script: 'dist/index.js',
      instances: 'max', // one per core
      exec_mode: 'cluster',
      max_memory_restart: '2G',
      env: {
        NODE_ENV: 'production',
      },
    },
  ],
};
