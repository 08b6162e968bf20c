import express from 'express';
import request from 'supertest';
import { allowedMethods } from './allowed-methods.js';

describe('allowedMethods', () => {
  // As Nest lays an app out: middleware for every path and method (the request logger's
  // `forRoutes`, an `all` route), the routes, then its not-found handler (`use`).
  const app = express();
  app.all('{/*splat}', (_req, _res, next) => next());
  app.get('/notes/:id', (req, res) => res.json(allowedMethods(req)));
  app.patch('/notes/:id', (req, res) => res.json(allowedMethods(req)));
  app.post('/notes', (req, res) => res.json(allowedMethods(req)));
  app.use((req, res) => res.status(404).set('X-Allowed', allowedMethods(req).join(', ')).json(allowedMethods(req)));

  it('names the methods served at a path no route took with its method, HEAD beside GET', async () => {
    expect((await request(app).delete('/notes/7').expect(404)).body).toEqual(['GET', 'HEAD', 'PATCH']);
    expect((await request(app).put('/notes').expect(404)).body).toEqual(['POST']);
    // HEAD of a path only POST serves (the router hands HEAD to any route of the path).
    expect((await request(app).head('/notes').expect(404)).headers['x-allowed']).toBe('POST');
  });

  it('names none for a path no route serves, nor for a request a route took', async () => {
    expect((await request(app).get('/cables').expect(404)).body).toEqual([]);
    expect((await request(app).get('/notes/7/history').expect(404)).body).toEqual([]);
    expect((await request(app).get('/notes/7').expect(200)).body).toEqual([]);
    expect((await request(app).head('/notes/7').expect(200)).headers['content-type']).toMatch(/json/);
  });
});
