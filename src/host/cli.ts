console.log('host');
