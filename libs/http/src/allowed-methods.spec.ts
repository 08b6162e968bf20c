import express from 'express';
import request from 'supertest';
import { allowedMethods } from './allowed-methods.js';

describe('allowedMethods', () => {
  // As Nest lays routes out: the routes, then its not-found handler for every method (`app.all`).
  const app = express();
  app.get('/notes/:id', (req, res) => res.json(allowedMethods(req)));
  app.patch('/notes/:id', (req, res) => res.json(allowedMethods(req)));
  app.post('/notes', (req, res) => res.json(allowedMethods(req)));
  app.all('*path', (req, res) => res.status(404).json(allowedMethods(req)));

  it('names the methods served at a path no route took with its method, HEAD beside GET', async () => {
    expect((await request(app).delete('/notes/7').expect(404)).body).toEqual(['GET', 'HEAD', 'PATCH']);
    expect((await request(app).put('/notes').expect(404)).body).toEqual(['POST']);
  });

  it('names none for a path no route serves, nor for a request a route took', async () => {
    expect((await request(app).get('/cables').expect(404)).body).toEqual([]);
    expect((await request(app).get('/notes/7/history').expect(404)).body).toEqual([]);
    expect((await request(app).get('/notes/7').expect(200)).body).toEqual([]);
  });
});
