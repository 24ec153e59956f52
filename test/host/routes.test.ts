import { HostError } from '../../infra/local/host/errors';
import { RouteTable, compileRoute, matchRoute } from '../../infra/local/host/http/routes';

function match(template: string, path: string): Record<string, string> | undefined {
  return matchRoute(compileRoute(template, template), path);
}

describe('route templates', () => {
  it('matches literal segments case-insensitively', () => {
    expect(match('orders/list', '/Orders/LIST')).toEqual({});
    expect(match('orders/list', '/orders/other')).toBeUndefined();
    expect(match('orders/list', '/orders/list/extra')).toBeUndefined();
  });

  it('captures parameters, decoded', () => {
    expect(match('users/{id}/orders/{orderId}', '/users/42/orders/a%20b')).toEqual({ id: '42', orderId: 'a b' });
  });

  it('treats optional and defaulted parameters', () => {
    expect(match('hello/{name?}', '/hello')).toEqual({});
    expect(match('hello/{name?}', '/hello/ann')).toEqual({ name: 'ann' });
    expect(match('page/{n=1}', '/page')).toEqual({ n: '1' });
    expect(match('page/{n=1}', '/page/7')).toEqual({ n: '7' });
  });

  it('applies constraints', () => {
    expect(match('items/{id:int}', '/items/12')).toEqual({ id: '12' });
    expect(match('items/{id:int}', '/items/abc')).toBeUndefined();
    expect(match('items/{id:int:min(10)}', '/items/9')).toBeUndefined();
    expect(match('items/{id:int:range(1,5)}', '/items/5')).toEqual({ id: '5' });
    expect(match('x/{flag:bool}', '/x/TRUE')).toEqual({ flag: 'TRUE' });
    expect(match('x/{g:guid}', '/x/3f2504e0-4f89-11d3-9a0c-0305e82c3301')).toBeDefined();
    expect(match('x/{g:guid}', '/x/nope')).toBeUndefined();
    expect(match('x/{name:alpha}', '/x/abc1')).toBeUndefined();
    expect(match('x/{code:regex(^[A-Z]{{3}}$)}', '/x/ABC')).toBeDefined();
    expect(match('x/{code:length(2)}', '/x/abc')).toBeUndefined();
  });

  it('captures the rest of the path with a catch-all', () => {
    expect(match('files/{*path}', '/files/a/b/c.txt')).toEqual({ path: 'a/b/c.txt' });
    expect(match('files/{*path}', '/files')).toEqual({});
  });

  it('matches complex segments', () => {
    expect(match('report/{year}-{month}', '/report/2024-05')).toEqual({ year: '2024', month: '05' });
  });

  it('rejects invalid templates with a clear error', () => {
    expect(() => compileRoute('a/{b', 1)).toThrow(HostError);
    expect(() => compileRoute('a/{*rest}/b', 1)).toThrow(/catch-all parameter must be the last segment/);
    expect(() => compileRoute('a/{x}/{x}', 1)).toThrow(/appears twice/);
    expect(() => compileRoute('a/{x:nosuch}', 1)).toThrow(/unknown route constraint "nosuch"/);
    expect(() => compileRoute('a/{x?}/b', 1)).toThrow(/optional parameter must be at the end/);
  });

  it('prefers the most specific template', () => {
    const table = new RouteTable<string>();
    table.add('items/{*rest}', 'catch-all');
    table.add('items/{id}', 'parameter');
    table.add('items/{id:int}', 'constrained');
    table.add('items/special', 'literal');
    expect(table.matchAll('/items/special').map((m) => m.value)).toEqual(['literal', 'parameter', 'catch-all']);
    expect(table.matchAll('/items/12')[0].value).toBe('constrained');
    expect(table.matchAll('/items/abc')[0].value).toBe('parameter');
    expect(table.matchAll('/items/a/b')[0].value).toBe('catch-all');
  });
});
