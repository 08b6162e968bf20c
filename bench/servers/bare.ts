import 'reflect-metadata';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';

/** The framework's limit on this machine: NestJS on Express answering a constant, nothing else. */
@Controller()
class BareController {
  @Get('bare')
  answer() {
    return { id: '00000000-0000-4000-8000-000000000000', status: 'DELIVERED', version: 2 };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

const app = await NestFactory.create(BareModule, { logger: ['error'] });
await app.listen(Number(process.env.PORT), '127.0.0.1');
console.log('listening');
