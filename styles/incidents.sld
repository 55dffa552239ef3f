<?xml version="1.0" encoding="UTF-8"?>
<StyledLayerDescriptor version="1.0.0" xmlns="http://www.opengis.net/sld" xmlns:ogc="http://www.opengis.net/ogc" xmlns:xlink="http://www.w3.org/1999/xlink" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://www.opengis.net/sld http://schemas.opengis.net/sld/1.0.0/StyledLayerDescriptor.xsd">
  <NamedLayer>
    <Name>{{layer}}</Name>
    <UserStyle>
      <Name>{{style}}</Name>
      <Title>{{title}}</Title>
      <FeatureTypeStyle>
<!--rows-->        <Rule>
          <Name>{{value}}</Name>
          <Title>{{label}}</Title>
          <ogc:Filter>
            <ogc:PropertyIsEqualTo><ogc:PropertyName>crime_group</ogc:PropertyName><ogc:Literal>{{value}}</ogc:Literal></ogc:PropertyIsEqualTo>
          </ogc:Filter>
          <PointSymbolizer>
            <Graphic>
              <Mark><WellKnownName>circle</WellKnownName><Fill><CssParameter name="fill">{{hex}}</CssParameter><CssParameter name="fill-opacity">0.8</CssParameter></Fill></Mark>
              <Size>6</Size>
            </Graphic>
          </PointSymbolizer>
        </Rule>
<!--/rows-->        <Rule>
          <Name>other</Name>
          <Title>Crime type not in the mapping</Title>
          <ElseFilter/>
          <PointSymbolizer>
            <Graphic>
              <Mark><WellKnownName>circle</WellKnownName><Fill><CssParameter name="fill">#969696</CssParameter><CssParameter name="fill-opacity">0.6</CssParameter></Fill></Mark>
              <Size>4</Size>
            </Graphic>
          </PointSymbolizer>
        </Rule>
      </FeatureTypeStyle>
    </UserStyle>
  </NamedLayer>
</StyledLayerDescriptor>
