import { AwsError } from '../errors';
import { decodeQueryParams, queryError, queryResponse } from './query';

describe('awsQuery', () => {
  it('decodes member lists and nested structures', () => {
    const params = new URLSearchParams(
      'Action=DescribeAutoScalingGroups&Version=2011-01-01&AutoScalingGroupNames.member.1=a&AutoScalingGroupNames.member.2=b' +
        '&Filters.member.1.Name=tag%3Aenv&Filters.member.1.Values.member.1=prod&MaxRecords=50',
    );
    expect(decodeQueryParams(params)).toEqual({
      AutoScalingGroupNames: ['a', 'b'],
      Filters: [{ Name: 'tag:env', Values: ['prod'] }],
      MaxRecords: '50',
    });
  });

  it('encodes results as XML with members and ISO timestamps', () => {
    const xml = queryResponse('GetThing', 'urn:ns', {
      Things: [{ Name: 'a<b', At: new Date(Date.UTC(2026, 10, 26)) }],
      Empty: [],
      Missing: undefined,
    });
    expect(xml).toContain(
      '<GetThingResponse xmlns="urn:ns"><GetThingResult><Things><member><Name>a&lt;b</Name><At>2026-11-26T00:00:00.000Z</At></member></Things><Empty></Empty></GetThingResult>',
    );
    expect(xml).not.toContain('Missing');
  });

  it('encodes errors with type, code and message', () => {
    const xml = queryError(new AwsError('Throttling', 'Rate exceeded'));
    expect(xml).toMatch(
      /^<ErrorResponse><Error><Type>Sender<\/Type><Code>Throttling<\/Code><Message>Rate exceeded<\/Message><\/Error><RequestId>[0-9a-f-]+<\/RequestId><\/ErrorResponse>$/,
    );
  });
});
