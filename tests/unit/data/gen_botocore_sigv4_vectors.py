#!/usr/bin/env python3
"""Generates the botocore cross-check vectors embedded in tests/unit/sigv4_botocore_test.cc.

Signs requests with botocore itself -- the signer classes directly (SigV4Auth, S3SigV4Auth and
their presigning counterparts) and real clients whose send is intercepted -- at a fixed date, and
prints each request as it would reach the server: method, raw path, raw query, headers, body.
The C++ test checks that auth::Verify accepts every one of them, which is what "compatible with
the real client" means. Run it again after a botocore upgrade and paste its output over the
vectors in BotocoreVectors():

    /usr/bin/python3 tests/unit/data/gen_botocore_sigv4_vectors.py
"""
import datetime
from unittest import mock
from urllib.parse import quote, urlsplit

import botocore
import botocore.auth
import botocore.crt.auth
import botocore.session
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.utils import percent_encode_sequence

ACCESS_KEY = 'AKIDBOTOCOREVECTOR1'
SECRET_KEY = 'botocore/Vector+Secret/0123456789abcdefghij'
REGION = 'us-east-1'
FIXED_NOW = datetime.datetime(2024, 1, 15, 10, 20, 30)  # 20240115T102030Z
ENDPOINT = 'http://localhost:9001'

CREDS = Credentials(ACCESS_KEY, SECRET_KEY)


class _FixedDatetime(datetime.datetime):
    @classmethod
    def utcnow(cls):
        return FIXED_NOW


class _DatetimeModule:
    """Stands in for the datetime module inside botocore.auth and botocore.crt.auth."""


_DatetimeModule.datetime = _FixedDatetime
_DatetimeModule.timezone = datetime.timezone


def wire(name, service, method, url, headers, body):
    """One request as the server sees it."""
    parts = urlsplit(url)
    out_headers = []
    if not any(k.lower() == 'host' for k, _ in headers):
        out_headers.append(('host', parts.netloc))
    for k, v in headers:
        if k.lower() in ('user-agent', 'amz-sdk-invocation-id'):
            continue  # never signed, and they vary from run to run
        if isinstance(v, bytes):
            v = v.decode('utf-8')
        out_headers.append((k.lower(), v))
    if hasattr(body, 'read'):
        body = body.read()
    if isinstance(body, str):
        body = body.encode('utf-8')
    return {
        'name': name,
        'service': service,
        'method': method,
        'path': parts.path,
        'query': parts.query,
        'headers': out_headers,
        'body': body or b'',
    }


def sign_direct(name, signer, method, url, headers=None, body=b'', params=None, context=None):
    # Query parameters go into the URL the way botocore's serializers put them there
    # (percent_encode_sequence), not through AWSRequest.params, whose urlencode() would send
    # spaces as '+' while signing them as %20.
    if params:
        url += '?' + percent_encode_sequence(params)
    request = AWSRequest(method=method, url=url, headers=headers or {}, data=body)
    if context:
        request.context.update(context)
    signer.add_auth(request)
    prepared = request.prepare()
    return wire(name, signer._service_name, method, prepared.url, list(prepared.headers.items()),
                prepared.body)


class _Captured(Exception):
    pass


def sign_with_client(name, service, call):
    session = botocore.session.get_session()
    client = session.create_client(
        service, region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(retries={'max_attempts': 0}, s3={'addressing_style': 'path'}))
    captured = []

    def capture(request, **_):
        captured.append(request)
        raise _Captured()

    client.meta.events.register('before-send', capture)
    try:
        call(client)
    except _Captured:
        pass
    request = captured[0]
    return wire(name, service, request.method, request.url, list(request.headers.items()),
                request.body)


def presign_with_client(name, service, operation, params, expires):
    session = botocore.session.get_session()
    client = session.create_client(
        service, region_name=REGION, endpoint_url=ENDPOINT, aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(signature_version='s3v4', s3={'addressing_style': 'path'}))
    url = client.generate_presigned_url(operation, Params=params, ExpiresIn=expires)
    return wire(name, service, 'GET', url, [], b'')


def main():
    vectors = []
    # Real clients sign with the CRT signer when awscrt is installed, else with botocore.auth.
    with mock.patch.object(botocore.auth, 'datetime', _DatetimeModule), \
            mock.patch.object(botocore.crt.auth, 'datetime', _DatetimeModule):
        lam = botocore.auth.SigV4Auth(CREDS, 'lambda', REGION)
        s3 = botocore.auth.S3SigV4Auth(CREDS, 's3', REGION)
        # A path segment holding a space, a non-ASCII character and an encoded slash, encoded
        # once the way botocore's serializers encode labels; the signer encodes it again.
        segment = quote('my func ሴ/x', safe='')
        vectors.append(sign_direct(
            'sigv4-path-space-utf8-slash', lam, 'GET',
            f'{ENDPOINT}/2015-03-31/functions/{segment}/configuration'))
        vectors.append(sign_direct(
            'sigv4-query-special-characters', lam, 'POST',
            f'{ENDPOINT}/2015-03-31/functions/fn/invocations',
            headers={'Content-Type': 'application/json', 'X-Amz-Invocation-Type': 'Event',
                     'X-Custom': '  spaced    out  value '},
            body=b'{"key": "value \xe2\x98\x83"}',
            params=[('Qualifier', '$LATEST'), ('b', 'x y+z&=/?'), ('a', 'ሴ'), ('a', '~-._'),
                    ('empty', '')]))
        vectors.append(sign_direct(
            'sigv4-empty-query-name', lam, 'GET', f'{ENDPOINT}/2015-03-31/functions',
            params=[('', 'no name'), ('MaxItems', '5')]))
        vectors.append(sign_direct(
            'sigv4-unsigned-payload', lam, 'PUT',
            f'{ENDPOINT}/2015-03-31/functions/fn/code', body=b'{"ZipFile": "UEsDBA=="}',
            context={'payload_signing_enabled': False}))
        vectors.append(sign_direct(
            'sigv4-iam-form-post', botocore.auth.SigV4Auth(CREDS, 'iam', REGION), 'POST',
            f'{ENDPOINT}/',
            headers={'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8'},
            body=b'Action=ListUsers&Version=2010-05-08&PathPrefix=%2Fdivision%2F'))
        # S3 signs the path exactly as sent: no normalisation, no second encoding.
        key = quote('dir//./my key ሴ+%.txt', safe='/~')
        vectors.append(sign_direct('s3-put-unnormalised-key', s3, 'PUT',
                                   f'{ENDPOINT}/bucket/{key}', body=b'hello s3'))
        vectors.append(sign_direct(
            's3-list-query', s3, 'GET', f'{ENDPOINT}/bucket',
            params=[('list-type', '2'), ('prefix', 'a b/ሴ'), ('delimiter', '/'),
                    ('start-after', 'x=y&z')]))
        vectors.append(sign_direct(
            's3-unsigned-payload', s3, 'PUT', f'{ENDPOINT}/bucket/obj',
            body=b'streamed', context={'client_config': Config(s3={'payload_signing_enabled':
                                                                   False})}))
        vectors.append(sign_direct(
            's3-presigned-get', botocore.auth.S3SigV4QueryAuth(CREDS, 's3', REGION, expires=900),
            'GET', f'{ENDPOINT}/bucket/{quote("code/my fn ሴ.zip", safe="/~")}'))
        vectors.append(sign_direct(
            'sigv4-presigned-get', botocore.auth.SigV4QueryAuth(CREDS, 'lambda', REGION,
                                                               expires=300),
            'GET', f'{ENDPOINT}/2015-03-31/functions/{segment}', params=[('Qualifier', '1')]))
        vectors.append(sign_direct(
            'sigv4-presigned-get-plain', botocore.auth.SigV4QueryAuth(CREDS, 'lambda', REGION,
                                                                     expires=600),
            'GET', f'{ENDPOINT}/code/{quote("fn ሴ.zip", safe="")}'))

        # Real clients, serialising real operations.
        vectors.append(sign_with_client(
            'client-lambda-invoke', 'lambda',
            lambda c: c.invoke(FunctionName='my-function', Qualifier='$LATEST',
                               InvocationType='RequestResponse', Payload=b'{"a": [1, 2]}')))
        vectors.append(sign_with_client(
            'client-iam-list-users', 'iam', lambda c: c.list_users(PathPrefix='/a b/')))
        vectors.append(sign_with_client(
            'client-s3-put-object', 's3',
            lambda c: c.put_object(Bucket='bucket', Key='k/ሴ ~!$&\'()*+,;=:@%.bin',
                                   Body=b'\x00\x01binary')))
        vectors.append(presign_with_client(
            'client-s3-presigned-get', 's3', 'get_object',
            {'Bucket': 'bucket', 'Key': 'a/b c+d.zip'}, 3600))

    def lit(value):
        """A C++ string literal; octal escapes, which cannot run into a following digit."""
        data = value.encode('utf-8') if isinstance(value, str) else value
        out = ''
        for b in data:
            c = chr(b)
            if c in '"\\':
                out += '\\' + c
            elif 0x20 <= b < 0x7f:
                out += c
            else:
                out += '\\%03o' % b
        # A std::string literal only where a NUL byte would otherwise end the string.
        return '"' + out + ('"s' if 0 in data else '"')

    print(f'// Generated by tests/unit/data/gen_botocore_sigv4_vectors.py with botocore '
          f'{botocore.__version__}.')
    for v in vectors:
        headers = ',\n      '.join(f'{{{lit(k)}, {lit(val)}}}' for k, val in v['headers'])
        print(f'    {{{lit(v["name"])}, {lit(v["service"])}, {lit(v["method"])},\n'
              f'     {lit(v["path"])},\n'
              f'     {lit(v["query"])},\n'
              f'     {{{headers}}},\n'
              f'     {lit(v["body"])}}},')


if __name__ == '__main__':
    main()
